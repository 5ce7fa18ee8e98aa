#!/usr/bin/env bash
# The one release build, for `make run`, `make test` and `make bench`: cargo-leptos with its
# settings (the server binary and the site, the wasm split into a chunk per lazily loaded page,
# asset names hashed), then every asset compressed once, here, with brotli and gzip, for the
# server to send as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The browser's wasm, first and apart: its standard library is compiled with it (build-std, on
# this stable toolchain by RUSTC_BOOTSTRAP, with the rust-src component setup.sh adds) so that a
# panic stops the program at once without formatting a message, no source locations are kept
# and std picks its smaller code. The server build below is untouched by these settings.
# RUSTFLAGS replaces the flags of .cargo/config.toml, so `erase_components` is named again here:
# server and browser must agree on it for hydration.
RUSTC_BOOTSTRAP=1 \
  CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
  RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  cargo leptos build --release --split --frontend-only "$@"
cargo leptos build --release --split --server-only "$@"
pkg=target/site/pkg
# The main module keeps only the data of the code it holds (see SPLIT_ROOM in frontend/src/lib.rs).
main_wasm="$pkg/seatwise.$(sed -n 's/^wasm: //p' "$CARGO_TARGET_DIR/release/hash.txt").wasm"
python3 scripts/check-wasm-data.py "$main_wasm" 110
# Only this build's files: cargo-leptos leaves older hashed names behind.
find "$pkg" -name '*.br' -delete -o -name '*.gz' -delete
for f in "$pkg"/*; do
  case "$f" in *.wasm | *.js | *.css | *.json)
    brotli -q 11 -f -o "$f.br" "$f"
    gzip -9 -n -k -f "$f" ;;
  esac
done
