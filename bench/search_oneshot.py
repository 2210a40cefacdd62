#!/usr/bin/env python3
"""Wall time of whole one-shot `engram search` processes on a bench store, lexical and hybrid (median/p95).

usage: python3 bench/search_oneshot.py ENGRAM_DLL STORE_DB [runs]
e.g.   python3 bench/search_oneshot.py artifacts/bin/Engram.Cli/release/engram.dll /work/notes/bench-stores/paths-100000.db 10
The store is linked into a fresh ENGRAM_HOME; queries are scoped to user3, as the bench's users are named.
"""
import os, statistics, subprocess, sys, tempfile, time
engram, store = sys.argv[1], os.path.abspath(sys.argv[2])
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
home = tempfile.mkdtemp(prefix="engram-oneshot-")
os.symlink(store, os.path.join(home, "engram.db"))
queries = ["what do we know about zumola build", "fixed the cache timeout", "deploy kubernetes branch review", "login token retry", "schema migration failed"]
for label, extra_env in [("lexical (Embeddings:Provider=none)", {"ENGRAM_Embeddings__Provider": "none"}), ("hybrid (built-in model)", {})]:
    env = dict(os.environ, ENGRAM_HOME=home, **extra_env)
    times = []
    for i in range(runs + 2):
        t = time.perf_counter()
        r = subprocess.run(["dotnet", engram, "search", queries[i % len(queries)], "--user", "user3"], env=env, capture_output=True, text=True)
        ms = (time.perf_counter() - t) * 1000
        if r.returncode != 0: print(label, "failed:", r.stderr[:400]); break
        if i >= 2: times.append(ms)
    if times:
        times.sort()
        print(f"| `engram search QUERY --user user3`, {label} | {statistics.median(times):.0f} ms | {times[int(0.95*len(times))-1]:.0f} ms |")
