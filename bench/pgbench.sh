#!/usr/bin/env bash
# Proxy overhead benchmark: pgbench against PostgreSQL directly, through PgBouncer (session
# pooling) and through Vigil (recording every statement) without and with
# the static analyzer on every statement (native_analysis off / static), on one throwaway local cluster.
# See docs/benchmarks.md. Usage:  bench/pgbench.sh          (DURATION=20 s per run)
#                                 DURATION=5 bench/pgbench.sh
# Environment:
#   DURATION    seconds per pgbench run (default 20); 20 runs in total (4 workloads × 5 targets)
#   SCALE       pgbench -i scale factor (default 10)
#   SKIP_BUILD  1 = reuse bench/.build/vigil.dll instead of rebuilding (default 0)
#   PG_BIN      PostgreSQL bin directory (default: newest /usr/lib/postgresql/*/bin)
#   KEEP_WORK   1 = keep the temporary cluster/data directory (default 0)
#   TARGETS     space-separated subset of: direct pgbouncer vigil vigil-static vigil-strict vigil-masked (default: all)
set -euo pipefail

DURATION="${DURATION:-20}"
SCALE="${SCALE:-10}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_WORK="${KEEP_WORK:-0}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
BUILD_DIR="$BENCH_DIR/.build"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/$STAMP"
mkdir -p "$RESULTS"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------------------------------------
# 1. Prerequisites
# ---------------------------------------------------------------------------------------------
wait_for_apt() {
    # Another apt-get/dpkg (e.g. an `apt-get install -y pgbouncer` logging to /tmp/apt-pgb.log)
    # may be running; wait for it rather than fighting over the dpkg lock.
    local waited=0
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1 || pgrep -x apt >/dev/null 2>&1; do
        if (( waited % 15 == 0 )); then
            log "waiting for a running apt-get/dpkg to finish${waited:+ (${waited}s)}"
            [[ -f /tmp/apt-pgb.log ]] && tail -n 1 /tmp/apt-pgb.log >&2 || true
        fi
        sleep 3; waited=$((waited + 3))
        (( waited > 900 )) && die "apt-get/dpkg still running after 15 minutes"
    done
}

find_pg_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN"; return; fi
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$d" && -x "$d/initdb" && -x "$d/pgbench" ]] && echo "$d"
}

missing=()
[[ -n "$(find_pg_bin)" ]] || missing+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]] || missing+=(pgbouncer)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if (( ${#missing[@]} > 0 )); then
    (( IS_ROOT )) || die "missing packages: ${missing[*]} (run as root to install them with apt-get)"
    wait_for_apt
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >&2
fi
wait_for_apt   # a concurrent install may still be configuring the packages we need

PG_BIN="$(find_pg_bin || true)"
[[ -n "$PG_BIN" ]] || die "no PostgreSQL binaries under /usr/lib/postgresql/*/bin"
PGBOUNCER="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
PGBENCH="$PG_BIN/pgbench"
command -v dotnet >/dev/null 2>&1 || die "dotnet SDK not found"

# Runs a command as the postgres OS user when we are root (initdb, postgres and pgbouncer refuse root).
as_pg() {
    if (( IS_ROOT )); then
        (cd "$WORK" && runuser -u postgres -- "$@")
    else
        (cd "$WORK" && "$@")
    fi
}

# free_port VAR: stores in VAR a free TCP port on 127.0.0.1, distinct from the ones handed out before.
USED_PORTS=" "
free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 40000 ))
        [[ "$USED_PORTS" == *" $p "* ]] && continue
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
            USED_PORTS+="$p "
            printf -v "$1" '%s' "$p"; return 0
        fi
    done
    die "no free port found"
}

# ---------------------------------------------------------------------------------------------
# Work directory and cleanup
# ---------------------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench.XXXXXX")"
chmod 755 "$WORK"
(( IS_ROOT )) && chown postgres:postgres "$WORK"
PGDATA="$WORK/pgdata"
PGB_DIR="$WORK/pgbouncer"
VIGIL_DATA="$WORK/vigil"
VIGIL_LOG="$RESULTS/vigil.log"
VIGIL_PID=""
PG_STARTED=0

cleanup() {
    local rc=$?
    set +e
    if [[ -n "$VIGIL_PID" ]] && kill -0 "$VIGIL_PID" 2>/dev/null; then
        log "stopping Vigil (pid $VIGIL_PID)"
        kill -TERM "$VIGIL_PID" 2>/dev/null
        for _ in $(seq 1 30); do kill -0 "$VIGIL_PID" 2>/dev/null || break; sleep 1; done
        kill -0 "$VIGIL_PID" 2>/dev/null && { log "Vigil did not exit after SIGTERM; killing"; kill -KILL "$VIGIL_PID"; }
    fi
    if [[ -f "$PGB_DIR/pgbouncer.pid" ]]; then
        local bpid; bpid="$(cat "$PGB_DIR/pgbouncer.pid" 2>/dev/null)"
        if [[ -n "$bpid" ]] && kill -0 "$bpid" 2>/dev/null; then
            log "stopping PgBouncer (pid $bpid)"
            kill -INT "$bpid"
            for _ in $(seq 1 10); do kill -0 "$bpid" 2>/dev/null || break; sleep 1; done
        fi
    fi
    if (( PG_STARTED )); then
        log "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1
    fi
    for f in "$WORK/postgres.log" "$PGB_DIR/pgbouncer.log"; do
        [[ -f "$f" ]] && cp "$f" "$RESULTS/" 2>/dev/null
    done
    if (( KEEP_WORK )); then
        log "keeping $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# 2. Throwaway PostgreSQL cluster
# ---------------------------------------------------------------------------------------------
free_port PG_PORT
free_port PGB_PORT
free_port VIGIL_HTTP_PORT
free_port VIGIL_PG_PORT
BENCH_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TOKEN="${TOKEN:-vgl-bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export PGSSLMODE=disable   # no TLS on any path: the cluster and PgBouncer have none configured

log "PostgreSQL: $("$PG_BIN/postgres" --version) ($PG_BIN), port $PG_PORT, work dir $WORK"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-locale -N >"$RESULTS/initdb.log" 2>&1 || { cat "$RESULTS/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGDATA/postgresql.conf" <<EOF

# --- vigil bench ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK'
max_connections = 100
password_encryption = 'scram-sha-256'
fsync = off                     # benchmark of proxy overhead, not of disk flushes
synchronous_commit = off
full_page_writes = off
EOF
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }
PG_STARTED=1
as_pg "$PG_BIN/psql" -X -q -h "$WORK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE bench LOGIN PASSWORD '$BENCH_PASSWORD'" -c "CREATE DATABASE bench OWNER bench"

log "pgbench -i -s $SCALE"
PGPASSWORD="$BENCH_PASSWORD" "$PGBENCH" -i -q -s "$SCALE" -h 127.0.0.1 -p "$PG_PORT" -U bench bench \
    >"$RESULTS/pgbench-init.log" 2>&1 || { cat "$RESULTS/pgbench-init.log" >&2; die "pgbench -i failed"; }

# ---------------------------------------------------------------------------------------------
# 3a. PgBouncer, session pooling
# ---------------------------------------------------------------------------------------------
mkdir -p "$PGB_DIR"
cat >"$PGB_DIR/pgbouncer.ini" <<EOF
[databases]
bench = host=127.0.0.1 port=$PG_PORT dbname=bench

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $PGB_DIR/userlist.txt
pool_mode = session
default_pool_size = 32
max_client_conn = 100
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
EOF
printf '"bench" "%s"\n' "$BENCH_PASSWORD" >"$PGB_DIR/userlist.txt"
chmod 600 "$PGB_DIR/userlist.txt"
(( IS_ROOT )) && chown -R postgres:postgres "$PGB_DIR"
PGB_VERSION="$("$PGBOUNCER" --version 2>&1 | head -n 1)"
log "PgBouncer: $PGB_VERSION, session pooling, port $PGB_PORT"
as_pg "$PGBOUNCER" -d -q "$PGB_DIR/pgbouncer.ini" || { cat "$PGB_DIR/pgbouncer.log" >&2 2>/dev/null; die "PgBouncer did not start"; }

wait_sql() { # wait_sql PORT PASSWORD WHAT
    local i
    for i in $(seq 1 60); do
        PGPASSWORD="$2" "$PG_BIN/psql" -X -qAt -h 127.0.0.1 -p "$1" -U bench -d bench -c 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    PGPASSWORD="$2" "$PG_BIN/psql" -X -qAt -h 127.0.0.1 -p "$1" -U bench -d bench -c 'SELECT 1' >&2 || true
    die "$3 does not accept connections on port $1"
}
wait_sql "$PGB_PORT" "$BENCH_PASSWORD" "PgBouncer"

# ---------------------------------------------------------------------------------------------
# 3b. Vigil (Release build, fresh data directory, recording on)
# ---------------------------------------------------------------------------------------------
VIGIL_COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO" status --porcelain -- src 2>/dev/null)" ]] && VIGIL_COMMIT+="+uncommitted-src"
if [[ "$SKIP_BUILD" != 1 || ! -f "$BUILD_DIR/vigil.dll" ]]; then
    log "building Vigil (Release) into $BUILD_DIR"
    dotnet build -c Release "$REPO/src/Vigil/Vigil.csproj" -o "$BUILD_DIR" -nologo -v quiet \
        >"$RESULTS/build.log" 2>&1 || { tail -n 40 "$RESULTS/build.log" >&2; die "dotnet build failed"; }
    echo "$VIGIL_COMMIT" >"$BUILD_DIR/.vigil-bench-commit"
else
    VIGIL_COMMIT="$(cat "$BUILD_DIR/.vigil-bench-commit" 2>/dev/null || echo unknown) (reused bench/.build)"
fi
log "starting Vigil ($VIGIL_COMMIT): HTTP 127.0.0.1:$VIGIL_HTTP_PORT, PostgreSQL 127.0.0.1:$VIGIL_PG_PORT"
mkdir -p "$VIGIL_DATA"
VIGIL_ADMIN_TOKEN="$TOKEN" dotnet "$BUILD_DIR/vigil.dll" serve --data "$VIGIL_DATA" \
    --http-listen "127.0.0.1:$VIGIL_HTTP_PORT" --pg-listen "127.0.0.1:$VIGIL_PG_PORT" >"$VIGIL_LOG" 2>&1 &
VIGIL_PID=$!
API="http://127.0.0.1:$VIGIL_HTTP_PORT"
for i in $(seq 1 120); do
    curl -fsS -o /dev/null "$API/healthz" 2>/dev/null && break
    kill -0 "$VIGIL_PID" 2>/dev/null || { cat "$VIGIL_LOG" >&2; die "Vigil exited during startup"; }
    sleep 0.5
    (( i == 120 )) && { cat "$VIGIL_LOG" >&2; die "Vigil /healthz not ready after 60 s"; }
done

api() { # api METHOD PATH [JSON]; prints the body, fails on a non-2xx status
    local out code body=()
    out="$(mktemp)"
    [[ $# -ge 3 ]] && body=(-H 'Content-Type: application/json' -d "$3")
    code="$(curl -sS -o "$out" -w '%{http_code}' -X "$1" "$API$2" -H "Authorization: Bearer $TOKEN" "${body[@]}")"
    cat "$out"; rm -f "$out"
    [[ "$code" == 2* ]] || { echo >&2; log "$1 $2 -> HTTP $code"; return 1; }
}
api POST /api/connections "$(jq -nc --argjson port "$PG_PORT" --arg pw "$BENCH_PASSWORD" \
    '{name:"bench",type:"postgres",host:"127.0.0.1",port:$port,database:"bench",username:"bench",password:$pw,ssl_mode:"disable"}')" \
    >"$RESULTS/vigil-connection.json" || { cat "$RESULTS/vigil-connection.json" >&2; die "registering the connection failed"; }
# Two connections to the same database: "bench" under a rule with native_analysis off (the proxy without analysis)
# and "bench-static" under a rule with native_analysis static (every statement through the static analyzer and the
# verdict cache, its verdict recorded). Every level allows, so the comparison measures analysis, not refusals.
api POST /api/connections "$(jq -nc --argjson port "$PG_PORT" --arg pw "$BENCH_PASSWORD" \
    '{name:"bench-static",type:"postgres",host:"127.0.0.1",port:$port,database:"bench",username:"bench",password:$pw,ssl_mode:"disable"}')" \
    >/dev/null || die "registering the connection bench-static failed"
# "bench-strict": native_analysis off like "bench", but recording: strict (each statement forwarded only once its input
# event is fsynced in the recorder's group commit), so strict/vigil is the cost of durable recording.
api POST /api/connections "$(jq -nc --argjson port "$PG_PORT" --arg pw "$BENCH_PASSWORD" \
    '{name:"bench-strict",type:"postgres",host:"127.0.0.1",port:$port,database:"bench",username:"bench",password:$pw,ssl_mode:"disable",recording:"strict"}')" \
    >/dev/null || die "registering the connection bench-strict failed"
# "bench-masked": native_analysis static like "bench-static", plus a data masking rule with every content recognizer
# on, so masked/static is the cost of scanning every result value (pgbench's tables hold no PII: nothing is replaced).
api POST /api/connections "$(jq -nc --argjson port "$PG_PORT" --arg pw "$BENCH_PASSWORD" \
    '{name:"bench-masked",type:"postgres",host:"127.0.0.1",port:$port,database:"bench",username:"bench",password:$pw,ssl_mode:"disable"}')" \
    >/dev/null || die "registering the connection bench-masked failed"
api POST /api/datamasking-rules "$(jq -nc '{name:"bench-masked",connection_names:["bench-masked"],supported_entity_types:[{name:"pii",
    entity_types:["EMAIL_ADDRESS","PHONE_NUMBER","CREDIT_CARD","US_SSN","IBAN_CODE","IP_ADDRESS","CRYPTO","URL","MAC_ADDRESS",
    "US_BANK_NUMBER","US_PASSPORT","US_DRIVER_LICENSE","UK_NHS","DATE_TIME"]}]}')" \
    >/dev/null || die "creating the masking rule bench-masked failed"
for rule in "bench-off|bench|off" "bench-static|bench-static|static" "bench-strict|bench-strict|off" "bench-masked|bench-masked|static"; do
    IFS='|' read -r rname rconn rmode <<<"$rule"
    api POST /api/ai/session-analyzer/rules "$(jq -nc --arg n "$rname" --arg c "$rconn" --arg m "$rmode" \
        '{name:$n,connection_names:[$c],native_analysis:$m,risk_evaluation:{low_risk_action:"allow",medium_risk_action:"allow",high_risk_action:"allow"}}')" \
        >/dev/null || die "creating the analyzer rule $rname failed"
done
wait_sql "$VIGIL_PG_PORT" "$TOKEN" "Vigil"

# ---------------------------------------------------------------------------------------------
# 4. Workloads: for each, direct / pgbouncer / vigil back to back
# ---------------------------------------------------------------------------------------------
read -r -a TARGETS <<<"${TARGETS:-direct pgbouncer vigil vigil-static vigil-strict vigil-masked}"
target_port()     { case "$1" in direct) echo "$PG_PORT";; pgbouncer) echo "$PGB_PORT";; vigil*) echo "$VIGIL_PG_PORT";; esac; }
target_password() { case "$1" in vigil*) echo "$TOKEN";; *) echo "$BENCH_PASSWORD";; esac; }
target_db()       { case "$1" in vigil-static) echo bench-static;; vigil-strict) echo bench-strict;; vigil-masked) echo bench-masked;; *) echo bench;; esac; }

# name | pgbench options | statements per transaction (for the recording check)
WORKLOADS=(
    "select-only simple, 16 clients|-S -M simple -c 16 -j 2|1"
    "select-only extended, 16 clients|-S -M extended -c 16 -j 2|1"
    "TPC-B (default script), 8 clients|-M simple -c 8 -j 2|7"
    "select-only simple, 1 client|-S -M simple -c 1 -j 1|1"
)

declare -A TPS LAT TXN FAILED
FAILURES=()
VIGIL_STATEMENTS=0
LAST_VIGIL_TXN=0

for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r wname wopts wstmts <<<"$w"
    slug="$(echo "$wname" | tr -c 'A-Za-z0-9\n' '-' | tr -s '-' | sed 's/-$//' | tr 'A-Z' 'a-z')"
    for t in "${TARGETS[@]}"; do
        out="$RESULTS/$slug.$t.txt"
        log "$wname -> $t (${DURATION}s)"
        # shellcheck disable=SC2086
        cmd=("$PGBENCH" -h 127.0.0.1 -p "$(target_port "$t")" -U bench -n -T "$DURATION" $wopts "$(target_db "$t")")
        echo "\$ ${cmd[*]}" >"$out"
        rc=0
        PGPASSWORD="$(target_password "$t")" "${cmd[@]}" >>"$out" 2>&1 || rc=$?
        tps="$(awk '/^tps = /{print $3; exit}' "$out")"
        lat="$(awk '/^latency average = /{print $4; exit}' "$out")"
        txn="$(awk -F': ' '/^number of transactions actually processed/{split($2,a,"/"); print a[1]; exit}' "$out")"
        fail="$(awk -F': ' '/^number of failed transactions/{split($2,a," "); print a[1]; exit}' "$out")"
        if (( rc != 0 )) || [[ -z "$tps" || -z "$lat" ]] || [[ -n "$fail" && "$fail" != 0 ]] || grep -qiE 'error|abort' "$out"; then
            FAILURES+=("$wname -> $t (exit $rc): $out")
            log "FAILED: $wname -> $t (exit $rc); output:"
            sed 's/^/    /' "$out" >&2
        fi
        TPS["$slug.$t"]="${tps:-ERR}"; LAT["$slug.$t"]="${lat:-ERR}"; TXN["$slug.$t"]="${txn:-0}"; FAILED["$slug.$t"]="${fail:-?}"
        if [[ "$t" == vigil* ]]; then
            # Strict mode records each statement twice: its input before forwarding, its outcome after.
            events_per_statement=1
            [[ "$t" == vigil-strict ]] && events_per_statement=2
            VIGIL_STATEMENTS=$(( VIGIL_STATEMENTS + ${txn:-0} * wstmts * events_per_statement ))
            LAST_VIGIL_TXN="${txn:-0}"
        fi
        sleep 1
    done
done

# ---------------------------------------------------------------------------------------------
# 5. Table
# ---------------------------------------------------------------------------------------------
ratio()  { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a/b; else printf "n/a" }'; }
fmt1()   { awk -v a="$1" 'BEGIN{ if (a ~ /^[0-9.]+$/) printf "%.1f", a; else printf "%s", a }'; }
added()  { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%+.0f", (a-b)*1000; else printf "n/a" }'; }

SUMMARY="$RESULTS/summary.md"
{
    echo "pgbench ${DURATION}s per run, scale $SCALE, $(nproc) CPUs ($(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)); $("$PG_BIN/postgres" --version); $PGB_VERSION (session pooling); Vigil $VIGIL_COMMIT (Release, recording on); sslmode=disable on all paths"
    echo
    echo "| workload | direct tps | pgbouncer tps | vigil tps | vigil/direct | vigil/pgbouncer | direct lat ms | pgbouncer lat ms | vigil lat ms | pgbouncer added µs | vigil added µs | vigil+static tps | static/vigil | vigil strict tps | strict/vigil | strict lat ms | vigil+masking tps | masked/static |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for w in "${WORKLOADS[@]}"; do
        IFS='|' read -r wname wopts wstmts <<<"$w"
        slug="$(echo "$wname" | tr -c 'A-Za-z0-9\n' '-' | tr -s '-' | sed 's/-$//' | tr 'A-Z' 'a-z')"
        d="$slug.direct"; b="$slug.pgbouncer"; v="$slug.vigil"; s="$slug.vigil-static"; x="$slug.vigil-strict"; m="$slug.vigil-masked"
        if [[ "$wopts" == *"-c 1 "* ]]; then
            ab="$(added "${LAT[$b]:-}" "${LAT[$d]:-}")"; av="$(added "${LAT[$v]:-}" "${LAT[$d]:-}")"
        else
            ab="–"; av="–"
        fi
        printf '| %s (`%s`) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$wname" "$wopts" \
            "$(fmt1 "${TPS[$d]:-}")" "$(fmt1 "${TPS[$b]:-}")" "$(fmt1 "${TPS[$v]:-}")" \
            "$(ratio "${TPS[$v]:-}" "${TPS[$d]:-}")" "$(ratio "${TPS[$v]:-}" "${TPS[$b]:-}")" \
            "${LAT[$d]:-}" "${LAT[$b]:-}" "${LAT[$v]:-}" "$ab" "$av" "$(fmt1 "${TPS[$s]:-}")" "$(ratio "${TPS[$s]:-}" "${TPS[$v]:-}")" \
            "$(fmt1 "${TPS[$x]:-}")" "$(ratio "${TPS[$x]:-}" "${TPS[$v]:-}")" "${LAT[$x]:-}" \
            "$(fmt1 "${TPS[$m]:-}")" "$(ratio "${TPS[$m]:-}" "${TPS[$s]:-}")"
    done
} >"$SUMMARY"

# ---------------------------------------------------------------------------------------------
# 6. Did recording keep up?
# ---------------------------------------------------------------------------------------------
log "checking Vigil's recording"
prev=-1
for i in $(seq 1 30); do   # the recorder is asynchronous and batched: wait until the count is stable
    page="$(api GET '/api/sessions?type=connect&page_size=1')"
    cur="$(jq -r '.data[0].event_count // 0' <<<"$page")"
    [[ "$cur" == "$prev" ]] && break
    prev="$cur"; sleep 1
done
all="$(api GET '/api/sessions?type=connect&page_size=1000')"
echo "$page" >"$RESULTS/vigil-sessions-newest.json"
echo "$all" >"$RESULTS/vigil-sessions-all.json"
{
    echo
    echo "Vigil recording check (after the Vigil runs, before shutdown):"
    echo
    echo "- recorded connect sessions (\`pages.total\`): $(jq -r '.pages.total' <<<"$page")"
    echo "- newest session $(jq -r '.data[0].id' <<<"$page"): event_count $(jq -r '.data[0].event_count' <<<"$page"), events_lost $(jq -r '.data[0].events_lost' <<<"$page"), status $(jq -r '.data[0].status' <<<"$page") — pgbench reported $LAST_VIGIL_TXN transactions for that 1-client run"
    echo "- all sessions: event_count sum $(jq '[.data[].event_count] | add // 0' <<<"$all"), events_lost sum $(jq '[.data[].events_lost] | add // 0' <<<"$all"); events expected from what pgbench reported through Vigil (transactions × statements per transaction, ×2 on vigil-strict for its input events): $VIGIL_STATEMENTS"
} >>"$SUMMARY"

# Stop Vigil cleanly (SIGTERM; it drains its recorder on shutdown).
log "stopping Vigil (SIGTERM)"
kill -TERM "$VIGIL_PID"
vrc=""
for i in $(seq 1 60); do
    if ! kill -0 "$VIGIL_PID" 2>/dev/null; then wait "$VIGIL_PID" && vrc=0 || vrc=$?; break; fi
    sleep 0.5
done
if [[ -z "$vrc" ]]; then
    echo "- Vigil did NOT exit within 30 s of SIGTERM (killed)" >>"$SUMMARY"
else
    echo "- Vigil exit code after SIGTERM: $vrc" >>"$SUMMARY"
fi
VIGIL_PID_DONE="$VIGIL_PID"
[[ -n "$vrc" ]] && VIGIL_PID=""

echo
cat "$SUMMARY"
echo
echo "Raw pgbench output, logs and this table: ${RESULTS#"$REPO"/}/"

if (( ${#FAILURES[@]} > 0 )); then
    echo
    echo "FAILED RUNS:"
    printf '  %s\n' "${FAILURES[@]}"
    echo "Vigil log ($VIGIL_LOG, last 60 lines, pid $VIGIL_PID_DONE):"
    tail -n 60 "$VIGIL_LOG" | sed 's/^/    /'
    exit 1
fi
