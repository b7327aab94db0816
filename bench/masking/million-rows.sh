#!/usr/bin/env bash
# One SELECT of 1,000,000 rows with an e-mail column, side by side in one run: PostgreSQL directly, through Vigil
# without a masking rule, and through Vigil masking EMAIL_ADDRESS. Prints rows/s per path and the gateway's resident
# memory (VmRSS, and VmHWM = peak) after each. See docs/masking.md.
# Usage (repository root): bench/masking/million-rows.sh        Environment: ROWS (default 1000000), SKIP_BUILD=1
set -euo pipefail
ROWS="${ROWS:-1000000}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
WORK="$(mktemp -d)"; chmod 755 "$WORK"
BUILD="$REPO/bench/.build"
TOKEN=vgl_bench_masking_token_0123456789abcdefghijkl
PG_PORT=$((21000 + RANDOM % 4000)); HTTP_PORT=$((PG_PORT + 5000)); VIGIL_PORT=$((PG_PORT + 10000))
as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [[ -n "${VIGIL_PID:-}" ]] && kill "$VIGIL_PID" 2>/dev/null && wait "$VIGIL_PID" 2>/dev/null || true
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
[[ "$(id -u)" == 0 ]] && chown postgres "$WORK"

as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/pg.log" -w start >/dev/null
psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c \
  "CREATE TABLE people AS SELECT i AS id, 'user' || i || '@example.com' AS email, 'note number ' || i AS note FROM generate_series(1, $ROWS) i"

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$BUILD/vigil.dll" ]]; then
    dotnet build -c Release "$REPO/src/Vigil/Vigil.csproj" -o "$BUILD" -nologo -v quiet >/dev/null
fi
VIGIL_ADMIN_TOKEN=$TOKEN dotnet "$BUILD/vigil.dll" serve --data "$WORK/data" --http-listen "127.0.0.1:$HTTP_PORT" \
    --pg-listen "127.0.0.1:$VIGIL_PORT" >"$WORK/vigil.log" 2>&1 &
VIGIL_PID=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "http://127.0.0.1:$HTTP_PORT$1" -d "$2" >/dev/null; }
for name in plain masked; do
    api /api/connections "{\"name\":\"$name\",\"type\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"database\":\"postgres\",\"username\":\"postgres\",\"password\":\"x\",\"ssl_mode\":\"disable\"}"
done
api /api/datamasking-rules '{"name":"emails","connection_names":["masked"],"supported_entity_types":[{"name":"contact","entity_types":["EMAIL_ADDRESS"]}]}'

memory() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$VIGIL_PID/status"; }
run() { # run LABEL URL
    local started ended
    started=$(date +%s.%N)
    psql -X -qAt "$2" -c "SELECT id, email, note FROM people" >"$WORK/out.txt"
    ended=$(date +%s.%N)
    local rows; rows=$(wc -l <"$WORK/out.txt")
    local masked; masked=$(grep -c '<EMAIL_ADDRESS>' "$WORK/out.txt" || true)
    printf '| %s | %d | %.2f | %.0f | %d | %s|\n' "$1" "$rows" "$(echo "$ended - $started" | bc)" "$(echo "$rows / ($ended - $started)" | bc -l)" "$masked" "$(memory)"
}
psql -X -qAt "postgresql://x:$TOKEN@127.0.0.1:$VIGIL_PORT/plain?sslmode=disable" -c "SELECT 1" >/dev/null
echo "$ROWS rows, $(nproc) CPUs; Vigil $(git -C "$REPO" rev-parse --short HEAD) (Release)"
echo
echo "| path | rows | seconds | rows/s | values masked | gateway memory after |"
echo "|---|---:|---:|---:|---:|---|"
run direct "postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
run "vigil, no rule" "postgresql://x:$TOKEN@127.0.0.1:$VIGIL_PORT/plain?sslmode=disable"
run "vigil, EMAIL_ADDRESS masked" "postgresql://x:$TOKEN@127.0.0.1:$VIGIL_PORT/masked?sslmode=disable"
