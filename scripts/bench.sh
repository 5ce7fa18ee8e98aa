#!/usr/bin/env bash
# `make bench`: builds the release and prints a table of figures. Later issues add rows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
source scripts/env.sh
scripts/build.sh 2>&1 | tail -1
bin="$CARGO_TARGET_DIR/release/seatwise"
rows=()
row() { rows+=("| $1 | $2 |"); }

# Size of what the browser downloads: every wasm chunk of this build (the main module and one
# per lazily loaded page), raw and as the server sends it (brotli and gzip made at build time).
pkg=target/site/pkg
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
# Per lazily loaded page: the main module plus the chunks that page loads (its own and the
# shared ones). The users page is in the main module (its refresh is a chunk, loaded when one starts).
while IFS= read -r line; do rows+=("$line"); done < <(python3 - "$pkg" "$CARGO_TARGET_DIR/release/hash.txt" <<'PY'
import json, os, sys
pkg, hashes = sys.argv[1], dict(l.split(': ') for l in open(sys.argv[2]).read().splitlines() if ': ' in l)
manifest = json.load(open(f"{pkg}/__wasm_split_manifest.{hashes['manifest']}.json"))
main = f"{pkg}/seatwise.{hashes['wasm']}.wasm"
kb = lambda files, ext: f"{sum(os.path.getsize(f + ext) for f in files) / 1024:.1f} KB"
sizes = lambda files: " / ".join(kb(files, ext) for ext in ("", ".gz", ".br"))
print(f"| wasm main module (the users page's first load, and the server pages' (overview, history, audit log, outbox, licenses) whole wasm): raw / gzip / brotli | {sizes([main])} |")
for split, chunks in sorted(manifest.items()):
    own = [f"{pkg}/{c}.wasm" for c in chunks if c.startswith("split_")]
    shared = [f"{pkg}/{c}.wasm" for c in chunks if not c.startswith("split_")]
    name = split.strip("_").rsplit("_", 1)[0]
    print(f"| wasm chunk {name}: its own; {len(shared)} shared chunks; first load with the main module: raw / gzip / brotli | {sizes(own)}; {sizes(shared)}; {sizes([main] + own + shared)} |")
PY
)
js_hash=$(sed -n 's/^js: *//p' "$CARGO_TARGET_DIR/release/hash.txt")
css_hash=$(sed -n 's/^css: *//p' "$CARGO_TARGET_DIR/release/hash.txt")
row "JS glue + CSS, brotli" "$(kb "$(( $(stat -c %s "$pkg/seatwise.$js_hash.js.br") + $(stat -c %s "$pkg/seatwise.$css_hash.css.br") ))")"

# Start-up: spawn to a ready answer on /readyz, first run (migrations, generated secrets)
# and later runs (existing data), median of 5 each.
start_time() { # $1: data dir; prints milliseconds
  local port t0 pid
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  t0=$(date +%s%N)
  SEATWISE_LISTEN="127.0.0.1:$port" SEATWISE_DATA_DIR="$1" SEATWISE_SITE_ROOT=target/site RUST_LOG=error \
    "$bin" serve >/dev/null 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.002; done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
  kill -TERM "$pid"; wait "$pid" || true
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cold=() warm=()
for _ in 1 2 3 4 5; do
  d=$(mktemp -d /tmp/seatwise-bench.XXXXXX)
  cold+=("$(start_time "$d")")
  warm+=("$(start_time "$d")")
  rm -rf "$d"
done
row "start-up to ready, first run (median of 5)" "$(printf '%s\n' "${cold[@]}" | median) ms"
row "start-up to ready, existing data (median of 5)" "$(printf '%s\n' "${warm[@]}" | median) ms"

# Server-side rendering throughput of the shell page, and the health endpoint for comparison.
source scripts/serve-release.sh
trap 'kill "$SEATWISE_PID" 2>/dev/null || true' EXIT
# Pages are measured signed in (a session cookie), as people use them.
email=admin@seatwise.demo
password=$SEATWISE_DEMO_PASSWORD
cookie=$(curl -fsS -o /dev/null -D - -H "Origin: $SEATWISE_URL" --data-urlencode "email=$email" \
  --data-urlencode "password=$password" "$SEATWISE_URL/auth/sign-in" |
  awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }')
[ -n "$cookie" ] || { echo "bench: could not sign in" >&2; exit 1; }
wrk_rps() { wrk -t2 -c16 -d5s -H "Cookie: $cookie" "$1" | awk '/Requests\/sec/ { printf "%.0f req/s", $2 }'; }
wrk_p99() { wrk -t2 -c16 -d5s --latency -H "Cookie: $cookie" "$1" | awk '$1 == "99%" { print $2 }'; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$SEATWISE_URL/")" = 200 ] ||
  { echo "bench: the session cookie does not open the overview" >&2; exit 1; }
row "SSR overview / signed in (customers from the store; 2 threads, 16 connections, 5 s)" "$(wrk_rps "$SEATWISE_URL/")"
row "SSR overview /, p99 latency" "$(wrk_p99 "$SEATWISE_URL/")"
row "SSR status page /status (store and connection queries)" "$(wrk_rps "$SEATWISE_URL/status")"
row "GET /healthz" "$(wrk_rps "$SEATWISE_URL/healthz")"

# Sign-in: argon2id hashing runs on blocking threads, so other requests keep flowing.
lua="$SEATWISE_DATA/signin.lua"
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = "email=$email&password=$password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "$SEATWISE_URL"
LUA
idle_p99=$(wrk_p99 "$SEATWISE_URL/healthz")
wrk -t1 -c2 -d5s --latency "$SEATWISE_URL/healthz" >"$SEATWISE_DATA/healthz-busy.txt" &
busy=$!
signin=$(wrk -t2 -c8 -d5s -s "$lua" "$SEATWISE_URL/auth/sign-in" | awk '/Requests\/sec/ { printf "%.0f req/s", $2 }')
wait "$busy"
busy_p99=$(awk '$1 == "99%" { print $2 }' "$SEATWISE_DATA/healthz-busy.txt")
row "sign-in with the right password (argon2id, 8 connections)" "$signin"
row "GET /healthz p99: idle / during the sign-in load" "$idle_p99 / $busy_p99"
stop_seatwise
trap - EXIT

# A customer's first visit in Chromium: a connection to an emulator with one tenant of 1,000
# users (150 ms per answer), the users page opened with nothing cached.
emu_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" emulator --port "$emu_port" --customers 1 --users-per-customer 1000 --latency-ms 150 >/dev/null 2>&1 &
emu_pid=$!
trap 'kill "$emu_pid" 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$emu_port/_emulator/stats" >/dev/null 2>&1; do sleep 0.05; done
visit_data=$(mktemp -d /tmp/seatwise-bench.XXXXXX)
export SEATWISE_DATA_DIR=$visit_data SEATWISE_EMULATOR=off RUST_LOG=error
SEATWISE_PC_CLIENT_SECRET=bench "$bin" connection add --name "Bench" --tenant bench.onmicrosoft.com \
  --client-id 00000000-0000-0000-0000-000000000001 --api-url "http://127.0.0.1:$emu_port" \
  --login-url "http://127.0.0.1:$emu_port" --default >/dev/null
SEATWISE_ADMIN_PASSWORD=bench-password-123 "$bin" create-admin --email bench@bench.example >/dev/null
visit_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SEATWISE_LISTEN="127.0.0.1:$visit_port" SEATWISE_SITE_ROOT=target/site "$bin" serve >/dev/null 2>&1 &
visit_pid=$!
trap 'kill "$emu_pid" "$visit_pid" 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$visit_port/readyz" >/dev/null 2>&1; do sleep 0.05; done
while IFS= read -r line; do rows+=("$line"); done < <(cd end2end && node first-visit.mjs "http://127.0.0.1:$visit_port" bench@bench.example bench-password-123 | grep '^|')
kill "$visit_pid" "$emu_pid"; wait "$visit_pid" "$emu_pid" 2>/dev/null || true
trap - EXIT
unset SEATWISE_DATA_DIR SEATWISE_EMULATOR RUST_LOG
rm -rf "$visit_data"

# Benches build in the release folder too: with cargo-leptos's settings, so that the `seatwise`
# binary there keeps serving the site it was built with (scripts/leptos-env.sh).
source scripts/leptos-env.sh
# Partner Center client against the emulator (pc-emulator/benches/client.rs).
while IFS= read -r line; do rows+=("$line"); done < <(cargo bench -q -p pc-emulator --bench client 2>/dev/null | grep '^|')
# The multi-customer users view (server/benches/users.rs).
while IFS= read -r line; do rows+=("$line"); done < <(cargo bench -q -p server --bench users 2>/dev/null | grep '^|')
# The subscriptions page (server/benches/subscriptions.rs).
while IFS= read -r line; do rows+=("$line"); done < <(cargo bench -q -p server --bench subscriptions 2>/dev/null | grep '^|')
# The history page with a million entries (server/benches/history.rs).
while IFS= read -r line; do rows+=("$line"); done < <(cargo bench -q -p server --bench history 2>/dev/null | grep '^|')
# Bulk work: 100 users x 2 licenses from a file (server/benches/bulk.rs).
while IFS= read -r line; do rows+=("$line"); done < <(cargo bench -q -p server --bench bulk 2>/dev/null | grep '^|')

# The binary `make run` serves is cargo-leptos's again (nothing is compiled: both are cached).
scripts/build.sh >/dev/null 2>&1

echo
echo "| figure | value |"
echo "|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; load generator on the same machine"
