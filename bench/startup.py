#!/usr/bin/env python3
"""Median and p95 wall time of whole engram processes, start to exit, and their median CPU time
(user + system: what a loaded machine does not inflate).

usage: python3 bench/startup.py PATH_TO_PUBLISHED_ENGRAM [OTHER_ENGRAM ...] [runs] [--worker]
Publish first: dotnet publish src/Engram.Cli -c Release -r linux-x64 -o /tmp/engram-pub
Several engrams (say before and after a change) are measured side by side: their runs alternate, each
engram in its own fresh home, so a change in the machine's load touches them alike.
--worker: a worker runs in the home (as after any hook), so search and add are answered by it over its socket.
"""
import os, resource, statistics, subprocess, sys, tempfile, time

args = [a for a in sys.argv[1:] if a != "--worker"]
runs = int(args.pop()) if args and args[-1].isdigit() else 40
engrams = args or ["/tmp/engram-pub/engram"]
workers = []

def environment(engram):
    home = tempfile.mkdtemp(prefix="engram-startup-")
    env = dict(os.environ, ENGRAM_HOME=home)
    # Without --worker no worker may start (add would start one to embed), so every command runs in-process.
    if "--worker" not in sys.argv:
        env["ENGRAM_NO_WORKER"] = "1"
    else:
        subprocess.run([engram, "stats"], env=env, stdout=subprocess.DEVNULL, check=True)
        workers.append(subprocess.Popen([engram, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while not os.path.exists(os.path.join(home, "cli.sock")): time.sleep(0.05)
    return env

envs = {engram: environment(engram) for engram in engrams}

def run_once(engram, args, expected):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    code = subprocess.run([engram, *args], env=envs[engram], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    elapsed = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != expected: sys.exit(f"{engram} {' '.join(args)} exited {code}, expected {expected}")
    return elapsed, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000

def measure(args, expected):
    times = {e: [] for e in engrams}
    cpus = {e: [] for e in engrams}
    for i in range(runs + 3):
        a = [x.replace("{i}", str(i)) for x in args]
        for engram in engrams:
            elapsed, cpu = run_once(engram, a, expected)
            if i >= 3:
                times[engram].append(elapsed)
                cpus[engram].append(cpu)
    result = []
    for engram in engrams:
        t = sorted(times[engram])
        result.append((statistics.median(t), t[int(0.95 * len(t)) - 1], statistics.median(cpus[engram])))
    return result

columns = " | ".join(f"{name} p50 | {name} p95 | {name} CPU p50" for name in (["engram"] if len(engrams) == 1 else [f"#{n + 1}" for n in range(len(engrams))]))
print(f"| command | {columns} |")
print("|---|" + "---:|" * (3 * len(engrams)))
for label, args, expected in [
    ("engram --version", ["--version"], 0),
    ("engram help", ["help"], 0),
    ("engram help search", ["help", "search"], 0),
    ("engram add TEXT (new memory each run)", ["add", "memory number {i} about the build cache", "--user", "bench"], 0),
    ("engram search QUERY", ["search", "build cache", "--user", "bench"], 0),
    ("engram search QUERY --bogus (usage error)", ["search", "build cache", "--bogus"], 2),
]:
    cells = " | ".join(f"{p50:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms" for p50, p95, cpu in measure(args, expected))
    print(f"| `{label}` | {cells} |")
if len(engrams) > 1:
    print("\n" + "\n".join(f"#{n + 1}: {engram}" for n, engram in enumerate(engrams)))
for worker in workers: worker.kill()
