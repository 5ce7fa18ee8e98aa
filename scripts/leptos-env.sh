# Sourced before any cargo command that builds the `seatwise` binary in the release folder
# outside cargo-leptos (`cargo bench`): the same LEPTOS_* settings cargo-leptos passes, so that
# cargo reuses the binary `cargo leptos build --release` made instead of building one that asks
# for files the site does not have. Keep in step with [[workspace.metadata.leptos]].
export LEPTOS_OUTPUT_NAME=seatwise
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR=127.0.0.1:3000
export LEPTOS_RELOAD_PORT=3001
export LEPTOS_LIB_DIR=frontend
export LEPTOS_BIN_DIR=server
export LEPTOS_JS_MINIFY=true
export LEPTOS_HASH_FILES=true
