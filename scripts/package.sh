#!/usr/bin/env bash
# Builds the Debian packages: artifacts/edgeagent_<version>_amd64.deb and _arm64.deb (the classroom box), and
# edgeagent-office_<version>_ARCH.deb (the office service, a self-contained ASP.NET Core publish).
# The agent is compiled ahead of time (NativeAOT: a third of the memory of the JIT build, README "Benchmarks";
# arm64 cross-linked with Debian's gcc-aarch64-linux-gnu); edgeagent-ctl and edgeagent-sim are a self-contained
# .NET publish beside it. The box needs no .NET. Assembled with dpkg-deb.
#   ./scripts/package.sh [--arch amd64|arm64|all] [--only agent|office] [--version V] [--out DIR]
# The version comes from Directory.Build.props (<Version>), the one place it lives; --version overrides it
# (the upgrade test builds a newer one).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

arch=all
only=
version=$(sed -nE 's|.*<Version>([^<]+)</Version>.*|\1|p' Directory.Build.props | head -1)
out=artifacts
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "package.sh: version '$version' is not MAJOR.MINOR.PATCH" >&2; exit 2
fi
case "$arch" in
  all) arches=(amd64 arm64) ;;
  amd64|arm64) arches=("$arch") ;;
  *) echo "package.sh: --arch must be amd64, arm64 or all" >&2; exit 2 ;;
esac
case "$only" in ""|agent|office) ;; *) echo "package.sh: --only must be agent or office" >&2; exit 2 ;; esac
command -v dpkg-deb >/dev/null || { echo "package.sh: dpkg-deb is missing (./scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
tools=(src/EdgeAgent.Ctl/EdgeAgent.Ctl.csproj src/EdgeAgent.Simulators/EdgeAgent.Simulators.csproj)

# The office service: its own package, its own runtime, its own user and unit (deploy/office).
office_package() { # office_package ARCH RID
  local a=$1 rid=$2 work root lib doc size deb strip=strip
  [ "$a" = arm64 ] && strip=aarch64-linux-gnu-strip
  work=$(mktemp -d)
  root=$work/root
  lib=$root/usr/lib/edgeagent-office
  echo "package.sh: publishing the office service $version for $rid"
  dotnet publish src/EdgeAgent.Office/EdgeAgent.Office.csproj -c Release -r "$rid" --self-contained true -o "$lib" -nologo -v quiet \
    -clp:"ErrorsOnly;NoSummary" -p:Version="$version" -p:DebugType=none -p:SatelliteResourceLanguages=en -p:GenerateDocumentationFile=false
  rm -f "$lib/libcoreclrtraceptprovider.so"
  "$strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/libe_sqlite3.so"
  find "$lib" -type f -exec chmod 0644 {} +
  chmod 0755 "$lib/edgeagent-office" "$lib/createdump"
  install -d "$root/usr/bin"
  ln -s ../lib/edgeagent-office/edgeagent-office "$root/usr/bin/edgeagent-office"
  install -D -m 0644 deploy/office/edgeagent-office.service "$root/lib/systemd/system/edgeagent-office.service"
  install -D -m 0644 deploy/office/office.json "$root/etc/edgeagent-office/office.json"
  doc=$root/usr/share/doc/edgeagent-office
  install -d "$doc"
  install -m 0644 deploy/debian/copyright "$doc/copyright"
  gzip -9n -c README.md > "$doc/README.md.gz"
  sed -e "s/@VERSION@/$version/" -e "s/^edgeagent (/edgeagent-office (/" deploy/debian/changelog | gzip -9n > "$doc/changelog.gz"
  install -d "$root/usr/share/man/man1"
  gzip -9n -c deploy/office/edgeagent-office.1 > "$root/usr/share/man/man1/edgeagent-office.1.gz"
  install -D -m 0644 deploy/office/lintian-overrides "$root/usr/share/lintian/overrides/edgeagent-office"
  chmod 0644 "$doc"/*.gz "$root"/usr/share/man/man1/*.gz
  install -d -m 0755 "$root/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$a/" -e "s/@SIZE@/$size/" deploy/office/control.in > "$root/DEBIAN/control"
  install -m 0644 deploy/office/conffiles "$root/DEBIAN/conffiles"
  install -m 0755 deploy/office/postinst deploy/office/prerm deploy/office/postrm "$root/DEBIAN/"
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
  chmod 0644 "$root/DEBIAN/md5sums"
  deb=$out/edgeagent-office_${version}_${a}.deb
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "package.sh: $deb ($(du -h "$deb" | cut -f1))"
  rm -rf "$work"
}

for a in "${arches[@]}"; do
  if [ "$only" = office ]; then
    case "$a" in amd64) office_package amd64 linux-x64 ;; arm64) office_package arm64 linux-arm64 ;; esac
    continue
  fi
  case "$a" in
    amd64) rid=linux-x64 strip=strip linker=gcc aot=() ;;
    arm64) rid=linux-arm64 strip=aarch64-linux-gnu-strip linker=aarch64-linux-gnu-gcc
      aot=(-p:CppCompilerAndLinker=aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy) ;;
  esac
  for tool in "$strip" "$linker"; do
    command -v "$tool" >/dev/null || { echo "package.sh: $tool is missing (./scripts/install-deps.sh)" >&2; exit 1; }
  done
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  root=$work/root
  lib=$root/usr/lib/edgeagent
  echo "package.sh: publishing $version for $rid"
  # The two tools share one self-contained runtime in one directory (their dependencies are the same versions:
  # central package management); edgeagent-ctl carries the agent's managed assembly (it shares its broker code).
  for app in "${tools[@]}"; do
    dotnet publish "$app" -c Release -r "$rid" --self-contained true -o "$lib" -nologo -v quiet -clp:"ErrorsOnly;NoSummary" \
      -p:Version="$version" -p:DebugType=none -p:SatelliteResourceLanguages=en -p:GenerateDocumentationFile=false
  done
  # The agent: one native executable (and SQLite's library, the same file the tools use).
  rm -f "$lib/edgeagent" "$lib/edgeagent.runtimeconfig.json" "$lib/edgeagent.deps.json"
  dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -r "$rid" -p:PublishAot=true "${aot[@]}" -o "$lib" -nologo -v quiet \
    -clp:"ErrorsOnly;NoSummary" -p:Version="$version" -p:DebugType=none -p:StripSymbols=true -p:GenerateDocumentationFile=false
  rm -f "$lib/edgeagent.dbg"
  # LTTng tracing support would need liblttng-ust; the runtime runs without it.
  rm -f "$lib/libcoreclrtraceptprovider.so"
  # SQLitePCLRaw ships its SQLite unstripped; the runtime's own libraries come stripped.
  "$strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/libe_sqlite3.so"
  find "$lib" -type f -exec chmod 0644 {} +
  install -m 0755 deploy/update/edgeagent-update "$lib/edgeagent-update"
  chmod 0755 "$lib/edgeagent" "$lib/edgeagent-ctl" "$lib/edgeagent-sim" "$lib/createdump"

  install -d "$root/usr/bin"
  for exe in edgeagent edgeagent-ctl edgeagent-sim; do ln -s ../lib/edgeagent/$exe "$root/usr/bin/$exe"; done
  install -D -m 0644 deploy/systemd/edgeagent.service "$root/lib/systemd/system/edgeagent.service"
  install -m 0644 deploy/update/edgeagent-update.service deploy/update/edgeagent-update.path "$root/lib/systemd/system/"
  install -D -m 0644 deploy/systemd/edgeagent.json "$root/etc/edgeagent/edgeagent.json"
  install -D -m 0644 src/EdgeAgent/Compliance/default-policy.json "$root/usr/share/edgeagent/default-policy.json"
  install -d "$root/usr/share/edgeagent/schemas"
  install -m 0644 schemas/* "$root/usr/share/edgeagent/schemas/"
  doc=$root/usr/share/doc/edgeagent
  install -d "$doc/examples/mosquitto"
  install -m 0644 deploy/mosquitto/* "$doc/examples/mosquitto/"
  install -m 0644 deploy/debian/copyright "$doc/copyright"
  gzip -9n -c README.md > "$doc/README.md.gz"
  sed "s/@VERSION@/$version/" deploy/debian/changelog | gzip -9n > "$doc/changelog.gz"
  install -D -m 0644 deploy/debian/lintian-overrides "$root/usr/share/lintian/overrides/edgeagent"
  install -d "$root/usr/share/man/man1"
  for page in edgeagent edgeagent-ctl edgeagent-sim; do gzip -9n -c deploy/debian/$page.1 > "$root/usr/share/man/man1/$page.1.gz"; done
  chmod 0644 "$doc/README.md.gz" "$doc/changelog.gz" "$root"/usr/share/man/man1/*.gz

  install -d -m 0755 "$root/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$a/" -e "s/@SIZE@/$size/" deploy/debian/control.in > "$root/DEBIAN/control"
  install -m 0644 deploy/debian/conffiles "$root/DEBIAN/conffiles"
  install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
  chmod 0644 "$root/DEBIAN/md5sums"

  deb=$out/edgeagent_${version}_${a}.deb
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "package.sh: $deb ($(du -h "$deb" | cut -f1))"
  rm -rf "$work"
  trap - EXIT
  if [ -z "$only" ]; then office_package "$a" "$rid"; fi
done
