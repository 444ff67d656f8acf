#!/usr/bin/env bash
# The full sequence behind the results in bench/README.md, in one sitting on a
# quiet machine (about 45-60 minutes): every benchmark on SQLite, precision and
# throughput on PostgreSQL, the minute-period precision run and the peers.
# Each record goes to bench/results/<name>.jsonl; the console output to
# bench/results/all-<time>.log. A failing step is reported and the rest go on.
#
#   npm run build && bench/all.sh
#   SKIP_PEERS=1 bench/all.sh
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE/.."
mkdir -p bench/results
LOG="bench/results/all-$(date -u +%Y%m%dT%H%M%S).log"
exec > >(tee -a "$LOG") 2>&1
step() { echo; echo "=== $(date -u +%H:%M:%S) $*"; }
bench() {
  step "bench $*"
  node bench/run.mjs "$@" --save || echo "!!! FAILED (exit $?): bench $*"
}

uptime
bench precision --jobs 100,1000,10000 --seconds 60
bench precision --jobs 100,1000,10000 --seconds 60 --db postgres
# Steady state at 10,000 even if creating them through the API stalls the server.
bench precision --jobs 10000 --seconds 60 --setup store
bench precision --jobs 1000 --period m --seconds 120
# A fine ladder around the knee: the figure is the best sustained rate.
bench throughput --jobs 8000,12000,14000,15000,16000
bench throughput --jobs 4000,8000,10000,12000 --db postgres
bench scale
bench history
bench console
bench precision --jobs 100,1000 --seconds 60 --routing broadcast --members 3 --no-floor
bench chaos-workers --jobs 1000 --seconds 60
if [ -z "${SKIP_PEERS:-}" ]; then
  step "peers"
  bench/peers.sh || echo "!!! FAILED: bench/peers.sh"
fi
step "side-by-side table"
node bench/peers-table.mjs | tee bench/results/side-by-side.md
step done
