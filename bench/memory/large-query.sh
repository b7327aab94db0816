#!/usr/bin/env bash
# Peak memory (VmHWM) of `vigil serve` for one 30 MiB simple Query through the proxy.
# Needs a PostgreSQL on 127.0.0.1:25432 with trust auth for user postgres. RULE=1 adds a rule that blocks medium and high.
# Usage: bench/memory/large-query.sh [path/to/vigil.dll]   (run from the repository root)
set -uo pipefail
QUERY=$(mktemp)
python3 -c "import sys; sys.stdout.write(\"SELECT length('\" + 'x' * (30 * 1024 * 1024) + \"');\\n\")" >"$QUERY"
BIN=${1:-src/Vigil/bin/Release/net10.0/vigil.dll}
DATA=$(mktemp -d)
TOKEN=vgl_memtest_token_0123456789abcdefghijklmnop
export VIGIL_ADMIN_TOKEN=$TOKEN
dotnet "$BIN" serve --data "$DATA" --http-listen 127.0.0.1:18009 --pg-listen 127.0.0.1:18432 >"$DATA/log" 2>&1 &
PID=$!
for i in $(seq 1 200); do curl -sf http://127.0.0.1:18009/healthz >/dev/null && break; sleep 0.3; done
curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' http://127.0.0.1:18009/api/connections \
  -d '{"name":"big","type":"postgres","host":"127.0.0.1","port":25432,"database":"postgres","username":"postgres","password":"x","ssl_mode":"disable"}' >/dev/null
[ -n "${RULE:-}" ] && curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' http://127.0.0.1:18009/api/ai/session-analyzer/rules -d '{"name":"r","connection_names":["big"],"risk_evaluation":{"low_risk_action":"allow","medium_risk_action":"block","high_risk_action":"block"}}' >/dev/null
URL="postgresql://x:$TOKEN@127.0.0.1:18432/big?sslmode=disable"
psql "$URL" -X -qAt -c "SELECT 1" >/dev/null
echo "before: $(grep -E 'VmHWM|VmRSS' /proc/$PID/status | tr -s ' ' | tr '\n' ' ')"
/usr/bin/time -f "psql %e s" psql "$URL" -X -qAt -f "$QUERY"
sleep 3
echo "after:  $(grep -E 'VmHWM|VmRSS' /proc/$PID/status | tr -s ' ' | tr '\n' ' ')"
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:18009/api/sessions?connection=big&page_size=1" | head -c 300; echo
kill $PID; wait $PID 2>/dev/null
rm -rf "$DATA" "$QUERY"
