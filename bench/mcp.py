#!/usr/bin/env python3
"""Time for `engram mcp` to answer `initialize`, then `tools/list`, from process start (what an agent
waits for before its first request), over stdio.

usage: python3 bench/mcp.py PATH_TO_ENGRAM_OR_ENGRAM_MCP [runs] [--first] [--search] [--worker]
The native front end (engram-mcp, beside engram in a publish) is timed the same way; it takes no "mcp"
argument, and its first run (not timed: a warm-up) keeps the answers later runs are given.
--first: every run is the first session after an install (a new ENGRAM_HOME each time, no warm-ups).
--search: then the session's first tool call, a search, timed from its request to its answer.
--worker: with a worker running for the home (as the agents' hooks leave one), started before the runs.
"""
import json, os, statistics, subprocess, sys, tempfile, time

flags = {"--first", "--search", "--worker"}
first = "--first" in sys.argv
search = "--search" in sys.argv
with_worker = "--worker" in sys.argv
positional = [a for a in sys.argv[1:] if a not in flags]
engram = positional[0] if positional else "/tmp/engram-pub/engram"
runs = int(positional[1]) if len(positional) > 1 else 20
home = tempfile.mkdtemp(prefix="engram-mcp-bench-")
# No worker unless --worker asks for one (an add would otherwise start one, which then answers tool calls).
env = dict(os.environ, ENGRAM_HOME=home, ENGRAM_NO_WORKER="1")
warmups = 0 if first else 2
native = os.path.basename(engram).startswith("engram-mcp")
cli = os.path.join(os.path.dirname(engram), "engram") if native else engram
command = [engram] if native else [engram, "mcp"]
subprocess.run([cli, "add", "seed memory so the store exists", "--no-infer"], env=env, check=True, stdout=subprocess.DEVNULL)
# Its vector too, as a store's memories have: a search then embeds the query with the model.
subprocess.run([cli, "reembed"], env=env, check=True, stdout=subprocess.DEVNULL)
worker = None
if with_worker:
    worker = subprocess.Popen([cli, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(os.path.join(home, "cli.sock")): time.sleep(0.05)

def send(p, message):
    p.stdin.write((json.dumps(message) + "\n").encode())
    p.stdin.flush()

def receive(p, id):
    while True:
        line = p.stdout.readline()
        if not line: raise RuntimeError("engram mcp closed its output")
        message = json.loads(line)
        if message.get("id") == id: return message

def cpu_ms(pid):
    """User + system CPU the process has used so far: a figure the machine's load does not inflate."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

init_times, list_times, cpu_times, search_times = [], [], [], []
for i in range(runs + warmups):
    if first: env = dict(os.environ, ENGRAM_HOME=tempfile.mkdtemp(prefix="engram-mcp-first-"), ENGRAM_NO_WORKER="1")
    t = time.perf_counter()
    p = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    send(p, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}})
    assert "result" in receive(p, 1)
    t_init = time.perf_counter()
    send(p, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    send(p, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    tools = receive(p, 2)["result"]["tools"]
    t_list = time.perf_counter()
    cpu = cpu_ms(p.pid)
    assert any(tool["name"] == "search" for tool in tools)
    if search:
        t_call = time.perf_counter()
        send(p, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "search", "arguments": {"query": "seed memory"}}})
        found = receive(p, 3)["result"]["content"][0]["text"]
        assert "seed memory" in found, found
        search_times.append((time.perf_counter() - t_call) * 1000)
    p.stdin.close()
    p.wait(timeout=30)
    if i < warmups and search: search_times.pop()
    if i >= warmups:
        init_times.append((t_init - t) * 1000)
        list_times.append((t_list - t) * 1000)
        cpu_times.append(cpu)

def stats(values):
    values.sort()
    return statistics.median(values), values[max(0, int(0.95 * len(values)) - 1)]

print("| engram mcp, from process start | p50 | p95 |")
print("|---|---:|---:|")
rows = [("`initialize` answered", init_times), ("`tools/list` answered", list_times), ("CPU used by then (user + system)", cpu_times)]
if search: rows.append(("first `search` tool call, request to answer", search_times))
for label, values in rows:
    p50, p95 = stats(values)
    print(f"| {label} | {p50:.0f} ms | {p95:.0f} ms |")
if worker:
    worker.kill()
    worker.wait()
