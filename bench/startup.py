#!/usr/bin/env python3
"""Median and p95 wall time of whole engram processes, start to exit, and their median CPU time
(user + system: what a loaded machine does not inflate).

usage: python3 bench/startup.py PATH_TO_PUBLISHED_ENGRAM [runs] [--worker]
Publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub
--worker: a worker runs in the home (as after any hook), so search and add are answered by it over its socket.
"""
import os, resource, statistics, subprocess, sys, tempfile, time

args = [a for a in sys.argv[1:] if a != "--worker"]
engram = args[0] if args else "/tmp/engram-pub/engram"
runs = int(args[1]) if len(args) > 1 else 40
home = tempfile.mkdtemp(prefix="engram-startup-")
env = dict(os.environ, ENGRAM_HOME=home)
worker = None
# Without --worker no worker may start (add would start one to embed), so every command runs in-process.
if "--worker" not in sys.argv: env["ENGRAM_NO_WORKER"] = "1"
if "--worker" in sys.argv:
    subprocess.run([engram, "stats"], env=env, stdout=subprocess.DEVNULL, check=True)
    worker = subprocess.Popen([engram, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(os.path.join(home, "cli.sock")): time.sleep(0.05)

def measure(args, stdin=None):
    times, cpus = [], []
    for i in range(runs + 3):
        a = [x.replace("{i}", str(i)) for x in args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([engram, *a], env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        elapsed = (time.perf_counter() - t) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i >= 3:
            times.append(elapsed)
            cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1], statistics.median(cpus)

print("| command | p50 | p95 | CPU p50 |")
print("|---|---:|---:|---:|")
for label, args in [
    ("engram --version", ["--version"]),
    ("engram add TEXT (new memory each run)", ["add", "memory number {i} about the build cache", "--user", "bench"]),
    ("engram search QUERY", ["search", "build cache", "--user", "bench"]),
]:
    p50, p95, cpu = measure(args)
    print(f"| `{label}` | {p50:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms |")
if worker is not None: worker.kill()
