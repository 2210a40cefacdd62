#!/usr/bin/env python3
"""Wall time of whole one-shot `engram search` and `engram add` processes on a bench store (median/p95),
the native front (engram-front) and the managed engram side by side.

usage: python3 bench/search_oneshot.py ENGRAM STORE_DB [runs]
e.g.   python3 bench/search_oneshot.py /tmp/engram-pub/engram /work/notes/bench-stores/paths-1000000.db 10
ENGRAM is a published engram (ReadyToRun, as install.sh makes it); engram-front is taken from beside it when
there. The store is copied into a fresh ENGRAM_HOME (search records accesses, add writes: the bench store is
never touched); queries are scoped to user3, as the bench's users are named. Each row alternates its ways of
running run by run, so a change in the machine's load touches them alike:
  no worker (ENGRAM_NO_WORKER=1): the managed engram in its own process (hybrid: it loads the model and every
  vector), and engram-front, which finds no socket and execs the managed engram;
  a running `engram worker` (warmed up by two searches): the managed engram as a client of its cli.sock, and
  engram-front as that client.
"""
import os, shutil, statistics, subprocess, sys, tempfile, time
engram, store = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
front = os.path.join(os.path.dirname(engram), "engram-front")
ways = [("managed", engram)] + ([("engram-front", front)] if os.path.exists(front) else [])
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
home = tempfile.mkdtemp(prefix="engram-oneshot-")
shutil.copyfile(store, os.path.join(home, "engram.db"))
queries = ["what do we know about zumola build", "fixed the cache timeout", "deploy kubernetes branch review", "login token retry", "schema migration failed"]

def command(i, kind):
    if kind == "search": return ["search", queries[i % len(queries)], "--user", "user3"]
    return ["add", f"one-shot bench note {i} {time.time_ns()} about the release checklist", "--user", "user3", "--no-infer"]

def row(label, kind, env, expect_worker):
    times = {name: [] for name, _ in ways}
    for i in range(runs + 2):
        for name, executable in ways:
            t = time.perf_counter()
            r = subprocess.run([executable] + command(i, kind), env=env, capture_output=True, text=True)
            ms = (time.perf_counter() - t) * 1000
            if r.returncode != 0 or (expect_worker and "answered by the running worker" not in r.stderr):
                sys.exit(f"{label}, {name}: exit {r.returncode}: {r.stderr[:400]}")
            if i >= 2: times[name].append(ms)
    for name, _ in ways:
        t = sorted(times[name])
        # Linear interpolation between samples, the definition Engram.Eval.Percentiles uses.
        p95 = statistics.quantiles(t, n=20, method="inclusive")[18]
        print(f"| `engram {kind}`, {label}, {name} | {statistics.median(t):.0f} ms | {p95:.0f} ms |", flush=True)

print("| how it runs | p50 | p95 |\n|---|---:|---:|")
alone = dict(os.environ, ENGRAM_HOME=home, ENGRAM_NO_WORKER="1")
row("no worker, hybrid (own process)", "search", alone, False)
row("no worker (own process)", "add", alone, False)
served = dict(os.environ, ENGRAM_HOME=home, ENGRAM_DEBUG="1")
worker = subprocess.Popen([engram, "worker"], env=dict(os.environ, ENGRAM_HOME=home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 300
    while not os.path.exists(os.path.join(home, "cli.sock")) and time.time() < deadline: time.sleep(0.2)
    row("answered by a running worker (hybrid)", "search", served, True)
    row("answered by a running worker", "add", served, True)
finally:
    worker.terminate()
    worker.wait()
    shutil.rmtree(home, ignore_errors=True)
