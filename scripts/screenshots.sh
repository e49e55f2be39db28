#!/usr/bin/env bash
# The README's console screenshots: runs the console tests (they save TestResults/screenshots/*.png) and copies them to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/EdgeAgent.Tests -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
dotnet test tests/EdgeAgent.Tests --no-build -nologo --filter "FullyQualifiedName~EdgeAgent.Tests.Office.ConsoleTests"
mkdir -p docs/screenshots
cp TestResults/screenshots/*.png docs/screenshots/
ls -l docs/screenshots
