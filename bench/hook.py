#!/usr/bin/env python3
"""Hook cost per event, process start to exit (wall p50/p95, and the median CPU time the hook process
itself used, user + system, which a loaded machine does not inflate), side by side in one run:
  - capture (PostToolUse, an Edit of a ~40-line file): the native engram-hook and the managed `engram hook`;
  - SessionStart: engram-hook answering from the context the worker keeps ready, and the managed path
    (drain, open the store, build the context);
  - optionally another command fed the same payloads (claude-mem's hook, see docs/benchmarks.md).

usage: python3 bench/hook.py PUBLISH_DIR [runs] [--compare "other command"] [--compare-session-start "other command"]
Publish first (puts engram and engram-hook in one folder):
  dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub
A background worker is started by the first call and keeps running, as in real use.
"""
import json, os, resource, statistics, subprocess, sys, tempfile, time

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/engram-pub"
runs = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else 200
engram = os.path.join(folder, "engram")
native = os.path.join(folder, "engram-hook")
home = tempfile.mkdtemp(prefix="engram-hook-bench-")
repo = tempfile.mkdtemp(prefix="engram-hook-repo-")
subprocess.run(["git", "init", "-q", repo], check=True)
env = dict(os.environ, ENGRAM_HOME=home)

body = "\n".join(f"    line {i}: total = compute_total(items, discount={i})" for i in range(40))
def tool_payload(i):
    return json.dumps({
        "session_id": "bench-session", "transcript_path": "/tmp/none.jsonl", "cwd": repo,
        "hook_event_name": "PostToolUse", "tool_name": "Edit", "tool_use_id": f"toolu_{i:06d}",
        "tool_input": {"file_path": f"{repo}/src/cart.py", "old_string": body, "new_string": body.replace("discount", "rebate")},
        "tool_response": {"filePath": f"{repo}/src/cart.py", "oldString": body, "newString": body.replace("discount", "rebate"), "structuredPatch": []},
    }).encode()

def start_payload(i):
    return json.dumps({"session_id": f"bench-start-{i}", "transcript_path": "/tmp/none.jsonl", "cwd": repo,
                       "hook_event_name": "SessionStart", "source": "startup"}).encode()

def measure(cmd, n, payload, expect_output=False, wait_idle=False):
    times, cpus = [], []
    for i in range(n + 5):
        if wait_idle: wait_for_worker()
        data = payload(i)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = (time.perf_counter() - t) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
        assert r.returncode == 0, (cmd, r.returncode, r.stderr[:300])
        if expect_output:
            assert b'"hookEventName":"SessionStart"' in r.stdout, (cmd, r.stdout[:300], r.stderr[:300])
        elif expect_output is False:
            assert r.stdout == b"", (cmd, r.stdout[:200])
        if i >= 5:
            times.append(elapsed)
            cpus.append(cpu)
    times.sort()
    return statistics.median(times), times[max(0, int(0.95 * len(times)) - 1)], statistics.median(cpus)

def wait_for_worker():
    """Session-start is measured as a new session meets it: the previous session's events processed."""
    spool = os.path.join(home, "spool")
    for _ in range(400):
        busy = os.path.exists(os.path.join(home, "context", ".busy"))
        pending = os.path.isdir(spool) and any(f.endswith(".event.json") for f in os.listdir(spool))
        if not busy and not pending: return
        time.sleep(0.01)

rows = []
def row(label, result):
    rows.append((label, *result))
    print(f"| {label} | {result[0]:.1f} ms | {result[1]:.1f} ms | {result[2]:.1f} ms |", flush=True)

print(f"payload {len(tool_payload(0))} bytes, {runs} runs each, ENGRAM_HOME={home}")
print("| hook | p50 | p95 | CPU p50 |")
print("|---|---:|---:|---:|")
row("engram-hook claude-code post-tool-use (native)", measure([native, "claude-code", "post-tool-use"], runs, tool_payload))
row("engram hook claude-code post-tool-use (managed)", measure([engram, "hook", "claude-code", "post-tool-use"], runs, tool_payload))
if "--compare" in sys.argv:
    other = sys.argv[sys.argv.index("--compare") + 1].split()
    row(" ".join(other), measure(other, runs, tool_payload, expect_output=None))

# Something to inject: an explicit memory (always injected) and the captured session so far.
subprocess.run([engram, "add", "Run the tests with ./test.sh before every commit", "--kind", "block"], env=env, check=True, stdout=subprocess.DEVNULL)
subprocess.run([engram, "process"], env=env, check=True, stdout=subprocess.DEVNULL)
# The first session start in a project builds its context the slow way; from then on the worker keeps it ready.
subprocess.run([native, "claude-code", "session-start"], env=env, input=start_payload(0), stdout=subprocess.DEVNULL, check=True)
session_runs = max(20, runs // 4)
row("engram-hook claude-code session-start (native, context ready)", measure([native, "claude-code", "session-start"], session_runs, start_payload, True, wait_idle=True))
row("engram hook claude-code session-start (managed: drain, open store, build)", measure([engram, "hook", "claude-code", "session-start"], session_runs, start_payload, True, wait_idle=True))
if "--compare-session-start" in sys.argv:
    other = sys.argv[sys.argv.index("--compare-session-start") + 1].split()
    row(" ".join(other), measure(other, session_runs, start_payload, expect_output=None))
subprocess.run([engram, "process"], env=env, stdout=subprocess.DEVNULL)
