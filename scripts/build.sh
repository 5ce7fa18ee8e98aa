#!/usr/bin/env bash
# The one release build, for `make run`, `make test` and `make bench`: cargo-leptos with its
# settings (the server binary and the site, the wasm split into a chunk per lazily loaded page,
# asset names hashed), then every asset compressed once, here, with brotli and gzip, for the
# server to send as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo leptos build --release --split "$@"
pkg=target/site/pkg
# Only this build's files: cargo-leptos leaves older hashed names behind.
find "$pkg" -name '*.br' -delete -o -name '*.gz' -delete
for f in "$pkg"/*; do
  case "$f" in *.wasm | *.js | *.css | *.json)
    brotli -q 11 -f -o "$f.br" "$f"
    gzip -9 -n -k -f "$f" ;;
  esac
done
