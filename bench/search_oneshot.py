#!/usr/bin/env python3
"""Wall time of whole one-shot `engram search` processes on a bench store, lexical and hybrid (median/p95).

usage: python3 bench/search_oneshot.py ENGRAM STORE_DB [runs]
e.g.   python3 bench/search_oneshot.py /tmp/engram-pub/engram /work/notes/bench-stores/paths-1000000.db 10
ENGRAM is a published engram (ReadyToRun, as install.sh makes it) or an engram.dll, run with dotnet.
The store is linked into a fresh ENGRAM_HOME; queries are scoped to user3, as the bench's users are named.
Three ways: the command alone, lexical and hybrid (each process opens the store, and for hybrid loads the model
and every vector), then hybrid answered by a running `engram worker` over $ENGRAM_HOME/cli.sock (the worker is
started first, warmed up by two searches, and stopped at the end).
"""
import os, statistics, subprocess, sys, tempfile, time
engram, store = sys.argv[1], os.path.abspath(sys.argv[2])
command = ["dotnet", engram] if engram.endswith(".dll") else [os.path.abspath(engram)]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
home = tempfile.mkdtemp(prefix="engram-oneshot-")
os.symlink(store, os.path.join(home, "engram.db"))
queries = ["what do we know about zumola build", "fixed the cache timeout", "deploy kubernetes branch review", "login token retry", "schema migration failed"]
def measure(label, env):
    times = []
    for i in range(runs + 2):
        t = time.perf_counter()
        r = subprocess.run(command + ["search", queries[i % len(queries)], "--user", "user3"], env=env, capture_output=True, text=True)
        ms = (time.perf_counter() - t) * 1000
        if r.returncode != 0:
            print(label, "failed:", r.stderr[:400])
            return
        if i >= 2: times.append(ms)
    times.sort()
    # Linear interpolation between samples, the definition Engram.Eval.Percentiles uses.
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    print(f"| `engram search QUERY --user user3`, {label} | {statistics.median(times):.0f} ms | {p95:.0f} ms |")

alone = dict(os.environ, ENGRAM_HOME=home, ENGRAM_NO_WORKER="1")
measure("lexical, own process (Embeddings:Provider=none)", dict(alone, ENGRAM_Embeddings__Provider="none"))
measure("hybrid, own process (built-in model)", alone)
served = dict(os.environ, ENGRAM_HOME=home)
worker = subprocess.Popen(command + ["worker"], env=served, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 120
    while not os.path.exists(os.path.join(home, "cli.sock")) and time.time() < deadline: time.sleep(0.2)
    measure("hybrid, answered by a running worker", served)
finally:
    worker.terminate()
    worker.wait()
