#!/usr/bin/env python3
"""Capture-hook cost per tool call: wall time of `engram hook claude-code post-tool-use`, process
start to exit, fed a realistic PostToolUse payload on stdin (an Edit of a ~40-line file).

usage: python3 bench/hook.py PATH_TO_PUBLISHED_ENGRAM [runs] [--compare "other command"]
Publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub
A background worker is started by the first call and keeps running, as in real use.
"""
import json, os, statistics, subprocess, sys, tempfile, time

engram = sys.argv[1] if len(sys.argv) > 1 else "/tmp/engram-pub/engram"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
home = tempfile.mkdtemp(prefix="engram-hook-bench-")
repo = tempfile.mkdtemp(prefix="engram-hook-repo-")
subprocess.run(["git", "init", "-q", repo], check=True)
env = dict(os.environ, ENGRAM_HOME=home)

body = "\n".join(f"    line {i}: total = compute_total(items, discount={i})" for i in range(40))
def payload(i):
    return json.dumps({
        "session_id": "bench-session", "transcript_path": "/tmp/none.jsonl", "cwd": repo,
        "hook_event_name": "PostToolUse", "tool_name": "Edit", "tool_use_id": f"toolu_{i:06d}",
        "tool_input": {"file_path": f"{repo}/src/cart.py", "old_string": body, "new_string": body.replace("discount", "rebate")},
        "tool_response": {"filePath": f"{repo}/src/cart.py", "oldString": body, "newString": body.replace("discount", "rebate"), "structuredPatch": []},
    }).encode()

def measure(cmd, n):
    times = []
    for i in range(n + 5):
        data = payload(i)
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = (time.perf_counter() - t) * 1000
        assert r.returncode == 0 and r.stdout == b"", (r.returncode, r.stdout[:200])
        if i >= 5:
            times.append(elapsed)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1], len(payload(0))

p50, p95, size = measure([engram, "hook", "claude-code", "post-tool-use"], runs)
print(f"payload {size} bytes, {runs} runs")
print("| hook | p50 | p95 |")
print("|---|---:|---:|")
print(f"| engram hook claude-code post-tool-use | {p50:.1f} ms | {p95:.1f} ms |")
if "--compare" in sys.argv:
    other = sys.argv[sys.argv.index("--compare") + 1].split()
    q50, q95, _ = measure(other, runs)
    print(f"| {' '.join(other)} | {q50:.1f} ms | {q95:.1f} ms |")
subprocess.run([engram, "process"], env=env, stdout=subprocess.DEVNULL)
