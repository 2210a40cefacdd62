#!/usr/bin/env python3
"""SessionStart while the running worker is behind: a prompt event is spooled just before each session start,
as when a session starts right after another one ended. Times the native engram-hook's session-start (process
start to exit, wall p50/p95) and says how often it printed a context. Run it for two publish folders to compare
builds side by side (a build that falls back to the managed hook pays a .NET start each time).

usage: python3 bench/session_start_behind.py PUBLISH_DIR [runs]
"""
import glob, json, os, re, signal, statistics, subprocess, sys, tempfile, time

folder = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
engram, native = os.path.join(folder, "engram"), os.path.join(folder, "engram-hook")
home = tempfile.mkdtemp(prefix="engram-behind-bench-")
repo = tempfile.mkdtemp(prefix="engram-behind-repo-")
subprocess.run(["git", "init", "-q", repo], check=True)
env = dict(os.environ, ENGRAM_HOME=home, ENGRAM_WORKER__IDLEMINUTES="5")
quiet = dict(env, ENGRAM_NO_WORKER="1")

def hook(event, payload, environment):
    started = time.perf_counter()
    out = subprocess.run([native, "claude-code", event], input=json.dumps(payload).encode(), env=environment, capture_output=True).stdout
    return (time.perf_counter() - started) * 1000, out

def session_start(i):
    return {"session_id": f"s{i}", "transcript_path": "/tmp/none.jsonl", "cwd": repo, "hook_event_name": "SessionStart", "source": "startup"}

subprocess.run([engram, "add", "Invoices are exported as CSV with a semicolon separator", "--kind", "block"], env=quiet, check=True, capture_output=True)
hook("session-start", session_start(0), env)  # builds the first context and starts the worker
time.sleep(3)
times, answered = [], 0
for i in range(1, runs + 1):
    prompt = {"session_id": f"s{i - 1}", "transcript_path": "/tmp/none.jsonl", "cwd": repo, "hook_event_name": "UserPromptSubmit", "prompt": f"step {i}"}
    hook("user-prompt-submit", prompt, quiet)
    ms, out = hook("session-start", session_start(i), env)
    times.append(ms)
    answered += b"semicolon separator" in out
    time.sleep(0.6)
times.sort()
print(f"{folder}: session-start behind a running worker, {runs} runs: p50 {statistics.median(times):.0f} ms, "
      f"p95 {times[int(0.95 * (len(times) - 1))]:.0f} ms, context printed {answered}/{runs}")
# Stop the worker this run started (its pid is in the log), so it holds no core after the benchmark.
for log in glob.glob(os.path.join(home, "logs", "*.log")):
    for pid in re.findall(r"\[worker\] started \(pid (\d+)\)", open(log).read()):
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            pass
