#!/usr/bin/env bash
# Browser tests: the release binary on a free port, Playwright driving Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/serve-release.sh
trap 'kill "$SEATWISE_PID" 2>/dev/null || true' EXIT
(cd end2end && npm test)
stop_seatwise
trap - EXIT
