#!/usr/bin/env bash
# HTTP proxy overhead: wrk against a local nginx directly and through Vigil's /proxy/ (static analysis on every
# request, every request recorded), without and with a masking rule (EMAIL_ADDRESS) on the JSON responses, side by side
# in one run. See docs/benchmarks.md. Usage:  bench/http/wrk.sh            (DURATION=10 s per run)
# Environment:
#   DURATION     seconds per wrk run (default 10)
#   CONNECTIONS  wrk connections for the throughput runs (default 16); the latency runs use 1
#   SKIP_BUILD   1 = reuse bench/.build/vigil.dll (default 0: dotnet build -c Release)
#   TARGETS      subset of: direct vigil vigil-masked (default: all)
#   WORKLOADS    subset of: small-c1 small big (default: all; big = the 1 MiB document)
#   VIGIL_*      passed on to the gateway, e.g. VIGIL_TOKEN_CACHE_TTL=0 to measure without the token cache
# Needs wrk, nginx, curl, jq (apt-get install wrk nginx-light curl jq).
set -euo pipefail

DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
SKIP_BUILD="${SKIP_BUILD:-0}"
TARGETS="${TARGETS:-direct vigil vigil-masked}"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
BUILD_DIR="$BENCH_DIR/.build"
WORK="$(mktemp -d /tmp/vigil-http-bench.XXXXXX)"
RESULTS="$BENCH_DIR/results/http-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS" "$WORK/www"
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in wrk nginx curl jq dotnet; do command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] || die "missing $tool"; done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

VIGIL_PID=""
cleanup() {
    set +e
    [[ -n "$VIGIL_PID" ]] && kill -TERM "$VIGIL_PID" 2>/dev/null && wait "$VIGIL_PID" 2>/dev/null
    [[ -f "$WORK/nginx.pid" ]] && kill -TERM "$(cat "$WORK/nginx.pid")" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# The upstream: nginx serving a small JSON document (one e-mail address) and a 1 MiB one (many), as application/json.
printf '{"id":7,"name":"Alice","email":"alice@example.com","active":true}' >"$WORK/www/small.json"
python3 - "$WORK/www/big.json" <<'EOF'
import json, sys
rows, size = [], 2
while size < 1024 * 1024 - 200:
    row = {"id": len(rows), "name": f"user {len(rows)}", "email": f"user{len(rows)}@example.com", "note": "lorem ipsum dolor sit amet"}
    rows.append(row); size += len(json.dumps(row, separators=(",", ":"))) + 1
open(sys.argv[1], "w").write(json.dumps(rows, separators=(",", ":")))
EOF
NGINX_PORT="$(free_port)"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    types { application/json json; }
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK; uwsgi_temp_path $WORK; scgi_temp_path $WORK;
    server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
}
EOF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
UPSTREAM="http://127.0.0.1:$NGINX_PORT"

COMMIT="$(git -C "$REPO" rev-parse --short HEAD)"
if [[ "$SKIP_BUILD" != 1 ]]; then
    log "building Vigil ($COMMIT, Release)"
    dotnet build -c Release "$REPO/src/Vigil/Vigil.csproj" -o "$BUILD_DIR" -nologo -v quiet >"$RESULTS/build.log" 2>&1 || die "build failed (see $RESULTS/build.log)"
fi
HTTP_PORT="$(free_port)"; PG_PORT="$(free_port)"
TOKEN="vgl_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
VIGIL_ADMIN_TOKEN="$TOKEN" dotnet "$BUILD_DIR/vigil.dll" serve --data "$WORK/vigil" \
    --http-listen "127.0.0.1:$HTTP_PORT" --pg-listen "127.0.0.1:$PG_PORT" >"$RESULTS/vigil.log" 2>&1 &
VIGIL_PID=$!
API="http://127.0.0.1:$HTTP_PORT"
for i in $(seq 120); do curl -fsS -o /dev/null "$API/healthz" 2>/dev/null && break; sleep 0.5; done
api() { curl -fsS -X "$1" "$API$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$3" >/dev/null; }
for c in bench bench-masked; do
    api POST /api/connections "$(jq -nc --arg n "$c" --arg u "$UPSTREAM" '{name:$n,type:"http",url:$u}')"
    api POST /api/ai/session-analyzer/rules "$(jq -nc --arg n "rule-$c" --arg c "$c" \
        '{name:$n,connection_names:[$c],native_analysis:"static",risk_evaluation:{low_risk_action:"allow",medium_risk_action:"allow",high_risk_action:"allow"}}')"
done
api POST /api/datamasking-rules '{"name":"bench-email","connection_names":["bench-masked"],"supported_entity_types":[{"name":"pii","entity_types":["EMAIL_ADDRESS"]}]}'

url() { case "$1" in direct) echo "$UPSTREAM/$2";; vigil) echo "$API/proxy/bench/$2";; vigil-masked) echo "$API/proxy/bench-masked/$2";; esac; }
# CPU time the gateway process has used, in clock ticks (user + system, /proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$VIGIL_PID/stat"; }
# One wrk run; prints "requests/s avg-latency-ms p99-ms gateway-cpu-us-per-request" (the CPU figure holds up on a
# loaded machine better than the rates: it counts only what the gateway itself spent).
run() {
    local target="$1" file="$2" conns="$3" out="$RESULTS/$1-$2-c$3.txt" before after
    before="$(cpu_ticks)"
    wrk -t "$(( conns < 2 ? 1 : 2 ))" -c "$conns" -d "${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$(url "$target" "$file")" >"$out"
    after="$(cpu_ticks)"
    grep -q "Non-2xx" "$out" && die "non-2xx answers in $out"
    awk -v ticks="$(( after - before ))" -v hz="$(getconf CLK_TCK)" -v direct="$([[ $target == direct ]] && echo 1 || echo 0)" '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /^    Latency/ { avg = ms($2) } / 99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } / requests in / { n = $1 }
        END { printf "%.0f %.3f %.3f %s\n", rps, avg, p99, direct ? "-" : sprintf("%.0f", ticks * 1e6 / hz / n) }' "$out"
}
log "warming up"
for t in $TARGETS; do wrk -t1 -c4 -d3s -H "Authorization: Bearer $TOKEN" "$(url "$t" small.json)" >/dev/null; done

printf '\nVigil %s, %s, %s cores; wrk %ss per run\n\n' "$COMMIT" "$(date -u +%FT%TZ)" "$(nproc)" "$DURATION" | tee "$RESULTS/summary.txt"
printf '%-26s %-13s %10s %10s %10s %9s %11s\n' workload target req/s avg_ms p99_ms vs_direct cpu_us/req | tee -a "$RESULTS/summary.txt"
WORKLOADS="${WORKLOADS:-small-c1 small big}"
for workload in $WORKLOADS; do
    case "$workload" in small-c1) set -- small.json 1;; small) set -- small.json "$CONNECTIONS";; big) set -- big.json "$CONNECTIONS";; *) die "unknown workload $workload";; esac
    base=""
    for t in $TARGETS; do
        read -r rps avg p99 cpu <<<"$(run "$t" "$1" "$2")"
        [[ -z "$base" ]] && base="$rps"
        printf '%-26s %-13s %10s %10s %10s %8.2fx %11s\n' "GET $1 c=$2" "$t" "$rps" "$avg" "$p99" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')" "$cpu" | tee -a "$RESULTS/summary.txt"
    done
done
log "results in $RESULTS"
