# Sourced by the other scripts: where builds go and which tools come first on PATH.
# The target directory lives outside the checkout so that fresh clones (CI) reuse the build
# cache; cargo keys its artifacts by source path and content, so sharing is safe.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/seatwise/target}"
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
