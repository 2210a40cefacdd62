#!/usr/bin/env python3
"""Median and p95 wall time of whole engram processes, start to exit, and their median CPU time
(user + system: what a loaded machine does not inflate).

usage: python3 bench/startup.py PATH_TO_PUBLISHED_ENGRAM [runs]
Publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub
"""
import os, resource, statistics, subprocess, sys, tempfile, time

engram = sys.argv[1] if len(sys.argv) > 1 else "/tmp/engram-pub/engram"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 40
home = tempfile.mkdtemp(prefix="engram-startup-")
env = dict(os.environ, ENGRAM_HOME=home)

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
