#!/bin/bash
# Side by side: the end-to-end figures of one checkout of this repository (its own server, worker
# and load generator), API only, in a fresh data directory. Run it for two checkouts in turn
# (e.g. `git worktree add ../base <commit>` and this tree), several times, to compare them on a
# machine whose speed varies: only figures taken in one sitting, alternating, are comparable.
# FRAUD_DASHBOARD=on serves the dashboard too, as `npm start` does (the tree needs its build).
#
# usage: bench/side-by-side.sh TREE SECONDS RATE...
#   prints, per rate: p50/p99/max latency (ms), errors, the generator's lateness, and CPU per
#   transaction (ms) of the server, the worker and the load generator (with its start-up; needs
#   /usr/bin/time, Debian package `time`), and of the dashboard process when it has one; then
#   the resident memory of the server (and dashboard) process.
set -euo pipefail
TREE=$(cd "$1" && pwd); shift; SECS=$1; shift
cd "$TREE"
D=$(mktemp -d /tmp/side-by-side-XXXX)
PORT=${PORT:-3921}
export FRAUD_DATA_DIR=$D FRAUD_API_KEY=fk_$(head -c 24 /dev/urandom | base64 | tr -dc a-zA-Z0-9) FRAUD_ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc a-zA-Z0-9) PORT HOST=127.0.0.1 FRAUD_DASHBOARD=${FRAUD_DASHBOARD:-off}
node --import tsx packages/functions/src/cli/index.ts seed >/dev/null
# The server's Node flags as `npm start` gives them (when the checkout has them), or SERVER_FLAGS to try others.
SERVER_FLAGS=${SERVER_FLAGS-$(node -p "require('./packages/functions/src/local/server-node-flags.json').join(' ')" 2>/dev/null || true)}
node $SERVER_FLAGS --import tsx packages/functions/src/local/server.ts > "$D/server.log" 2>&1 &
SP=$!
node --import tsx packages/functions/src/local/worker.ts > "$D/worker.log" 2>&1 &
WP=$!
trap 'kill -INT $SP $WP 2>/dev/null; wait $SP $WP 2>/dev/null || true; rm -rf "$D"' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.2; done
# The dashboard's own process, when the server started one (the server's CPU and memory otherwise include it).
DP=$(pgrep -P $SP -f local/dashboard.ts || echo "")
cpu() { if [ -n "$1" ]; then awk '{print $14+$15}' "/proc/$1/stat"; else echo 0; fi; }
load() { node --import tsx bench/loadgen.ts "{\"url\":\"http://127.0.0.1:$PORT\",\"apiKey\":\"$FRAUD_API_KEY\",\"rate\":$1,\"count\":$2,\"runId\":\"$3\",\"out\":\"$D/$3.json\",\"seed\":$1}"; }
load 1000 3000 warm
for R in "$@"; do
  sleep 1
  S0=$(cpu $SP); W0=$(cpu $WP); B0=$(cpu "$DP")
  /usr/bin/time -f "%U %S" -o "$D/lg.time" bash -c "$(declare -f load); D=$D PORT=$PORT FRAUD_API_KEY=$FRAUD_API_KEY load $R $((R * SECS)) r$R"
  S1=$(cpu $SP); W1=$(cpu $WP); B1=$(cpu "$DP")
  node -e "const r=require('$D/r$R.json');const [u,s]=require('fs').readFileSync('$D/lg.time','utf8').trim().split(' ').map(Number);const n=r.sent;console.log('$(basename "$TREE")','rate',$R,'p50',r.p50_ms,'p99',r.p99_ms,'max',r.max_ms,'err',r.errors,'lag99',r.send_lag_p99_ms,'cpu/tx server',(($S1-$S0)*10/n).toFixed(3),'worker',(($W1-$W0)*10/n).toFixed(3),'loadgen',((u+s)*1000/n).toFixed(3),${DP:+"'dashboard',(($B1-$B0)*10/n).toFixed(3)"})"
done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
echo "$(basename "$TREE") RSS MB: server $(rss $SP)${DP:+, dashboard $(rss "$DP")}"
