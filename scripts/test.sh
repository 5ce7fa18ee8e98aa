#!/usr/bin/env bash
# Every test: formatting, lints for both builds, unit and integration tests (SQLite and a real
# PostgreSQL server), the release build, and browser tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all --check

step "clippy (server build: ssr)"
cargo clippy --locked --workspace --exclude frontend --all-targets -- -D warnings
step "clippy (browser build: hydrate, wasm32)"
cargo clippy --locked -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

pg_dir=$(mktemp -d /tmp/seatwise-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg_dir"' EXIT
step "starting a throwaway PostgreSQL server"
SEATWISE_TEST_POSTGRES_URL=$(scripts/postgres.sh start "$pg_dir")
export SEATWISE_TEST_POSTGRES_URL
unset SEATWISE_TEST_SKIP_POSTGRES

step "cargo test (SQLite and PostgreSQL)"
cargo test --locked --workspace --exclude frontend

step "release build (scripts/build.sh)"
scripts/build.sh

step "browser tests (Chromium, release build)"
scripts/e2e.sh

step "all tests passed in $((SECONDS - started)) s"
