#!/usr/bin/env bash
# Native SSH through Vigil vs direct ssh to the same sshd, side by side in one run, with recording on (the default).
# Usage: start the gateway with the README's command (`dotnet run --project src/Vigil -- serve --demo`, which starts the
# demo-shell sshd when openssh-server is installed), then run this from the same folder (it reads .vigil/admin-token and
# the demo sshd's client key). SIZE_MB (default 1024) for the cat, KEYS (default 300) keystrokes, IDLE (default 50) sessions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SSHPASS=$(cat .vigil/admin-token)
G=http://127.0.0.1:8009; GW_PORT=${GW_PORT:-2222}; SIZE_MB=${SIZE_MB:-1024}; KEYS=${KEYS:-300}; IDLE=${IDLE:-50}
conn=$(curl -sf -H "Authorization: Bearer $SSHPASS" $G/api/connections/demo-shell)
PORT=$(echo "$conn" | python3 -c 'import json,sys; print(json.load(sys.stdin)["port"])')
USER_=$(echo "$conn" | python3 -c 'import json,sys; print(json.load(sys.stdin)["username"])')
KEY=.vigil/demo-sshd/client_ed25519
O=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
direct=(ssh "${O[@]}" -i $KEY -o IdentitiesOnly=yes -p $PORT $USER_@127.0.0.1)
gateway=(sshpass -e ssh "${O[@]}" -o PubkeyAuthentication=no -p $GW_PORT demo-shell@127.0.0.1)
cmd="head -c ${SIZE_MB}M /dev/zero"

secs() { local s=$(date +%s%N); "$@" > /dev/null; local e=$(date +%s%N); echo "scale=2; ($e-$s)/1000000000" | bc; }
echo "== cat of ${SIZE_MB} MB (ssh host '$cmd'), wall seconds and MB/s"
for round in 1 2; do
  d=$(secs "${direct[@]}" "$cmd"); g=$(secs "${gateway[@]}" "$cmd")
  echo "round $round: direct ${d}s ($(echo "$SIZE_MB/$d" | bc) MB/s)   vigil ${g}s ($(echo "$SIZE_MB/$g" | bc) MB/s)   ratio $(echo "scale=2; $g/$d" | bc)"
done

echo "== keystroke echo latency (interactive bash, one key at a time)"
echo "direct: $(python3 "$here/keystroke.py" $KEYS -- "${direct[@]}" -tt)"
echo "vigil:  $(python3 "$here/keystroke.py" $KEYS -- "${gateway[@]}" -tt)"

echo "== gateway memory per idle SSH session ($IDLE sessions running 'sleep 60')"
pid=$(ss -ltnpH "sport = :$GW_PORT" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
rss() { grep VmRSS /proc/$pid/status | awk '{print $2}'; }
before=$(rss)
for i in $(seq $IDLE); do "${gateway[@]}" "sleep 60" > /dev/null 2>&1 & done
sleep 15
after=$(rss)
echo "RSS before ${before} KiB, with $IDLE idle sessions ${after} KiB: $(( (after-before)/IDLE )) KiB per session (gateway + its upstream SSH client)"
kill $(jobs -p) 2>/dev/null || true
