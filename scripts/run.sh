#!/usr/bin/env bash
# `make run`: build the release and serve it on http://127.0.0.1:3000 with the embedded
# defaults (SQLite under ./data, generated secrets). Settings: see README.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh
export SEATWISE_SITE_ROOT="${SEATWISE_SITE_ROOT:-target/site}"
exec "$CARGO_TARGET_DIR/release/seatwise" serve
