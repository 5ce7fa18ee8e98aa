# Sourced: starts the release binary in the background on a free port with a fresh data
# directory, waits until it is ready, and sets SEATWISE_URL, SEATWISE_PID, SEATWISE_DATA.
# `stop_seatwise` stops it with SIGTERM and fails unless it shut down cleanly.
SEATWISE_DATA=$(mktemp -d /tmp/seatwise-data.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SEATWISE_URL="http://127.0.0.1:$port"
# Every demo account gets this password (tests sign in with it; it is never stored in the clear).
SEATWISE_DEMO_PASSWORD="demo-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
SEATWISE_LISTEN="127.0.0.1:$port" SEATWISE_DATA_DIR="$SEATWISE_DATA" SEATWISE_SITE_ROOT=target/site \
  SEATWISE_DEMO_PASSWORD="$SEATWISE_DEMO_PASSWORD" \
  RUST_LOG="${RUST_LOG:-warn}" "$CARGO_TARGET_DIR/release/seatwise" serve >"$SEATWISE_DATA/server.log" 2>&1 &
SEATWISE_PID=$!
for _ in $(seq 1 200); do
  curl -fsS "$SEATWISE_URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$SEATWISE_PID" 2>/dev/null || { cat "$SEATWISE_DATA/server.log" >&2; exit 1; }
  sleep 0.05
done
export SEATWISE_URL SEATWISE_PID SEATWISE_DATA SEATWISE_DEMO_PASSWORD

stop_seatwise() {
  kill -TERM "$SEATWISE_PID"
  local status=0
  wait "$SEATWISE_PID" || status=$?
  if [ "$status" != 0 ]; then
    echo "seatwise exited with $status after SIGTERM" >&2
    cat "$SEATWISE_DATA/server.log" >&2
    return 1
  fi
  rm -rf "$SEATWISE_DATA"
}
