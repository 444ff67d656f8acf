#!/usr/bin/env bash
# The peers comparison, in the same sitting as JobCenter's precision runs:
# BullMQ, croner and node-cron every second at N = 1,000 and 10,000, pg-boss
# and graphile-worker every minute at N = 1,000, once each, with the harness
# in shared/bench-peers (see its README.md and REPORT.md), plus its HTTP
# ceiling. Their JSON lines go to bench/results/peers.jsonl and
# bench/results/peers-ceil-http.jsonl; `node bench/peers-table.mjs` then
# prints the side-by-side table with JobCenter's bench/results/precision.jsonl.
#
#   bench/peers.sh                 # everything (about 25 min)
#   PEER_FIRES=20 bench/peers.sh   # shorter second-granularity windows (the peers' own default)
#   PEERS="croner node-cron" bench/peers.sh
#   PEER_N_SECONDS=100 PEER_N_MINUTES=10 BENCH_RESULTS_DIR=/tmp/x bench/peers.sh   # a quick check
#
# Needs root (services.sh uses su/apt-get). services.sh start leaves a running
# PostgreSQL cluster and the postgres password alone: it only starts the
# cluster if it is down, adds the role bench/bench and the databases pgboss,
# graphile, rawpg and agenda if missing, installs redis-server if missing and
# starts Redis on 127.0.0.1:6379 unless one answers there.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS_DIR="${BENCH_PEERS_DIR:-$(cd "$HERE/../.." && pwd)/shared/bench-peers}"
OUT="${BENCH_RESULTS_DIR:-$HERE/results}"
FIRES="${PEER_FIRES:-60}"
N_S="${PEER_N_SECONDS:-1000,10000}"
N_M="${PEER_N_MINUTES:-1000}"
PEERS="${PEERS:-croner node-cron bullmq pg-boss graphile-worker}"
mkdir -p "$OUT"
step() { echo "=== $(date -u +%H:%M:%S) $*" >&2; }

[ -d "$PEERS_DIR" ] || { echo "no peers harness at $PEERS_DIR (set BENCH_PEERS_DIR)" >&2; exit 2; }
cd "$PEERS_DIR"
if [ ! -d node_modules ]; then
  step "npm ci in $PEERS_DIR"
  npm ci --no-audit --no-fund
fi
node -e "require('better-sqlite3')" 2>/dev/null || npm rebuild better-sqlite3 msgpackr-extract
step "services.sh start"
./services.sh start
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
PGPASSWORD=bench psql -h 127.0.0.1 -U bench -d graphile -Atc 'select 1' >/dev/null

D=(node driver.mjs --repeat 1 --out "$OUT/peers.jsonl")
has() { [[ " $PEERS " == *" $1 "* ]]; }

step "HTTP ceiling (peers' ceil-http.mjs)"
node ceil-http.mjs --clients undici --conc 1,16,128 --seconds 5 --warmup 1 --repeat 1 --out "$OUT/peers-ceil-http.jsonl" >/dev/null
if has croner; then step croner; "${D[@]}" --peer croner --n "$N_S" --period s --fires "$FIRES" --label default >/dev/null; fi
if has node-cron; then step node-cron; "${D[@]}" --peer node-cron --n "$N_S" --period s --fires "$FIRES" --label default >/dev/null; fi
if has bullmq; then step bullmq; "${D[@]}" --peer bullmq --n "$N_S" --period s --fires "$FIRES" --label default >/dev/null; fi
if has pg-boss; then step pg-boss; "${D[@]}" --peer pg-boss --n "$N_M" --period m --grace 75 --label default >/dev/null; fi
if has graphile-worker; then step graphile-worker; "${D[@]}" --peer graphile-worker --n "$N_M" --period m --label default >/dev/null; fi
step "done: $OUT/peers.jsonl"
node "$HERE/peers-table.mjs" --dir "$OUT"
