#!/usr/bin/env bash
# Installs what building and testing Seatwise needs, skipping whatever is already there at the
# right version. Works offline except for the package registries (crates, npm, Debian).
# Fails with a clear message on version skew, the usual cause of a broken Leptos build.
set -euo pipefail
cd "$(dirname "$0")/.."

# rustup's tools may not be on PATH in a bare CI environment.
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_LEPTOS_VERSION=0.3.10
WASM_OPT_MIN=116
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31msetup: %s\033[0m\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages: Chromium for browser tests, PostgreSQL for store tests, wrk for benchmarks,
# brotli for the assets compressed at build time.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v wrk >/dev/null || need_apt+=(wrk)
command -v brotli >/dev/null || need_apt+=(brotli)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need_apt+=(python3-aiosmtpd)
command -v make >/dev/null || need_apt+=(make)
command -v curl >/dev/null || need_apt+=(curl)
command -v npm >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- Rust: the wasm target.
command -v cargo >/dev/null || fail "cargo is missing: install Rust with rustup first"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- Rust: the standard library's source, which the browser's build compiles (scripts/build.sh).
if ! rustup component list --installed | grep -q '^rust-src'; then
  step "rustup component add rust-src"
  rustup component add rust-src
fi

# --- cargo-leptos, built from source without its binary downloads (about 20 minutes once).
have=$(cargo leptos --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$CARGO_LEPTOS_VERSION" ]; then
  step "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (was: ${have:-none})"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# --- wasm-bindgen CLI: exactly the version of the wasm-bindgen crate in Cargo.lock.
lock=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
[ -n "$lock" ] || fail "Cargo.lock has no wasm-bindgen entry"
grep -q "wasm-bindgen = \"=$lock\"" Cargo.toml ||
  fail "Cargo.toml must pin wasm-bindgen = \"=$lock\" (the version in Cargo.lock)"
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$lock" ]; then
  step "cargo install wasm-bindgen-cli $lock (was: ${have:-none})"
  # Its lock file can name a dependency release that the registry no longer serves (seen:
  # webpki-roots 1.0.11); then resolve afresh, which works with this toolchain.
  cargo install wasm-bindgen-cli --version "$lock" --locked --force ||
    cargo install wasm-bindgen-cli --version "$lock" --force
fi

# --- Node packages from the committed lock files: wasm-opt (binaryen) and Playwright.
for dir in tools end2end; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "npm ci in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
export PATH="$PWD/tools/node_modules/.bin:$PATH"
wasm_opt=$(wasm-opt --version | sed -n 's/^wasm-opt version \([0-9]*\).*/\1/p')
[ "${wasm_opt:-0}" -ge "$WASM_OPT_MIN" ] ||
  fail "wasm-opt $wasm_opt found first on PATH; $WASM_OPT_MIN or newer is needed (Debian's 108 breaks hydration)"

step "tools ready: cargo-leptos $(cargo leptos --version | awk '{print $2}'), wasm-bindgen $lock, wasm-opt $wasm_opt, $(/usr/bin/chromium --version 2>/dev/null | head -1)"
