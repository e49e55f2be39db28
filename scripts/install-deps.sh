#!/usr/bin/env bash
# Installs what EdgeAgent needs on a Debian 12 machine (idempotent): apt packages, then NuGet restore.
# Safe to run repeatedly; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg srt-tools mpv fonts-wqy-microhei util-linux mosquitto mosquitto-clients sqlite3 iperf3 iproute2 procps systemd
  dpkg-dev lintian debootstrap file binutils binutils-aarch64-linux-gnu jq postgresql rabbitmq-server
  gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  rclone nginx libnginx-mod-http-dav-ext openssh-server openssh-client aptly gnupg curl
  chromium poppler-utils python3-aiosmtpd)
# gcc links the agent compiled ahead of time (NativeAOT), gcc-aarch64-linux-gnu cross-links the arm64 one, and
# qemu-user lets the package test run that arm64 agent here. GStreamer's RTSP server (python3-gi and the gst packages)
# is the simulated network camera (src/EdgeAgent.Simulators/Rtsp/rtsp-camera.py): ffmpeg cannot serve RTSP. rclone uploads
# recorded lessons; the tests upload to nginx's WebDAV (with the dav-ext module) and OpenSSH's SFTP, started on loopback.
# aptly and gnupg make the office's signed apt repository (scripts/publish-repo.sh) the update test serves with nginx.
# The office console's tests drive Debian's chromium with Playwright (no browser download), check its PDF form with
# poppler-utils (pdftotext, pdftoppm) and receive its alert mail with python3-aiosmtpd's SMTP server.

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The broker is started by the tests and the demo on free ports; the distro service must not hold 1883.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now mosquitto >/dev/null 2>&1 || true
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-deps: the .NET 10 SDK is required (dotnet not on PATH)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore EdgeAgent.sln --nologo -v quiet
