#!/usr/bin/env python3
"""Keystroke echo latency of an interactive ssh session: types one character at a time into `ssh -tt` and times until
the terminal echoes it back. Usage: keystroke.py N -- ssh-command...; prints median and p95 in microseconds."""
import os, select, subprocess, sys, time

def main():
    n = int(sys.argv[1]); cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    out = p.stdout.fileno()
    def read_until(token, timeout=20.0):
        buf = b""; end = time.monotonic() + timeout
        while token not in buf:
            r, _, _ = select.select([out], [], [], max(0.0, end - time.monotonic()))
            if not r: raise SystemExit(f"timeout waiting for {token!r}; got {buf[-200:]!r}")
            buf += os.read(out, 65536)
        return buf
    p.stdin.write(b"echo ready-$((40+2))\r"); read_until(b"ready-42")
    time.sleep(0.5)
    samples = []
    for i in range(n):
        ch = b"abcdefghij"[i % 10:i % 10 + 1]
        t = time.monotonic_ns(); p.stdin.write(ch); read_until(ch); samples.append((time.monotonic_ns() - t) // 1000)
        if i % 50 == 49: p.stdin.write(b"\x15"); time.sleep(0.05); os.read(out, 65536) if select.select([out], [], [], 0.2)[0] else None
    p.stdin.write(b"\x15exit\r"); p.wait(timeout=20)
    samples.sort()
    print(f"median {samples[len(samples)//2]} us, p95 {samples[int(len(samples)*0.95)]} us ({n} keystrokes)")

main()
