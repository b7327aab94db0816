#!/usr/bin/env bash
# Usage: start the gateway with the README's command (`dotnet run --project src/Vigil -- serve --demo`), then run this
# from the same folder (it reads .vigil/admin-token). N calls per round (default 100).
# Sequential tool-call latency: exec through /api/mcp vs the same command through POST /api/sessions (both via curl).
set -euo pipefail
T=$(cat .vigil/admin-token); G=http://127.0.0.1:8009; U=$G/api/mcp; N=${N:-100}
SID=$(curl -s -D - -o /dev/null -X POST $U -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' | grep -i "^mcp-session-id" | cut -d' ' -f2 | tr -d '\r')
curl -s -o /dev/null -X POST $U -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $SID" -H "MCP-Protocol-Version: 2025-06-18" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
mcp() { curl -s -o /dev/null -X POST $U -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $SID" -H "MCP-Protocol-Version: 2025-06-18" -d '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"exec","arguments":{"connection":"demo","script":"select 1"}}}'; }
api() { curl -s -o /dev/null -X POST $G/api/sessions -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d '{"connection":"demo","script":"select 1"}'; }
for i in 1 2 3 4 5; do mcp; api; done   # warm up
for round in 1 2; do
  s=$(date +%s%N); for i in $(seq $N); do api; done; e=$(date +%s%N); echo "api  round $round: $(( (e-s)/N/1000 )) us/call"
  s=$(date +%s%N); for i in $(seq $N); do mcp; done; e=$(date +%s%N); echo "mcp  round $round: $(( (e-s)/N/1000 )) us/call"
done
