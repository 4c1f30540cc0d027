#!/usr/bin/env python3
"""Self time of a .cpuprofile by function and by file.

python3 summarize-profile.py FILE [TOP] [FROM_US TO_US]: FROM/TO (the "profile window" line a
scenario prints under --cpu-prof) keep only the samples of the timed import.
"""
import json, sys, collections

profile = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
window = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else None
nodes = {n["id"]: n for n in profile["nodes"]}
deltas = profile.get("timeDeltas", [])
self_us = collections.Counter()
at = profile["startTime"]
for sample, delta in zip(profile.get("samples", []), deltas):
    at += delta
    if window and not window[0] <= at <= window[1]:
        continue
    self_us[sample] += delta
total = sum(self_us.values()) or 1
by_fn, by_file = collections.Counter(), collections.Counter()
for node_id, us in self_us.items():
    frame = nodes[node_id]["callFrame"]
    url = frame.get("url") or "(native)"
    short = url.split("node_modules/")[-1] if "node_modules" in url else url.split("/")[-1] if url.startswith("file:") else url
    by_fn[f'{frame.get("functionName") or "(anonymous)"}  {short}:{frame.get("lineNumber", 0) + 1}'] += us
    by_file[short if "node_modules" not in url else "/".join(short.split("/")[:2 if short.startswith("@") else 1])] += us
# Each sample charged to the nearest Tributary frame (src/ or bench/) up its stack: what our code costs, libraries included.
parent = {}
for node in profile["nodes"]:
    for child in node.get("children", []):
        parent[child] = node["id"]
ours = collections.Counter()
for node_id, us in self_us.items():
    at_node, name = node_id, None
    while at_node is not None:
        frame = nodes[at_node]["callFrame"]
        url = frame.get("url", "")
        if "/src/" in url or "/bench/" in url:
            name = f'{frame.get("functionName") or "(anonymous)"}  {url.split("/")[-1]}:{frame.get("lineNumber", 0) + 1}'
            break
        at_node = parent.get(at_node)
    ours[name or "(no Tributary frame: idle, GC, I/O callbacks, module loading)"] += us
# Self time by area, to tell the bus's cost from the database's and the pipelines'.
AREAS = [
    ("event bus (src/platform/event-bus, class-validator/-transformer, ioredis, Nest microservices, async hooks)",
     ("/platform/event-bus/", "class-validator", "class-transformer", "/validator/", "ioredis", "redis-parser",
      "@nestjs/microservices", "async_hooks", "@nestjs/core", "@nestjs/common")),
    ("database client (typeorm, mysql2)", ("typeorm", "mysql2", "sql-escaper", "/platform/persistence/")),
    ("import-flow pipelines (src/pipelines)", ("/src/pipelines/",)),
    ("HTTP client (node:http)", ("node:_http", "node:http", "node:https")),
]
areas = collections.Counter()
for node_id, us in self_us.items():
    frame = nodes[node_id]["callFrame"]
    url, fn = frame.get("url", ""), frame.get("functionName", "")
    area = next((name for name, marks in AREAS if any(m in url for m in marks)), None)
    if area is None:
        area = {"(idle)": "idle", "(garbage collector)": "garbage collector", "(program)": "V8 (program)"}.get(fn, "other (node internals, native I/O)")
    areas[area] += us
print(f"total sampled {total / 1e6:.2f} s")
for title, counter in (("self time by function", by_fn), ("self time by file/package", by_file), ("time by nearest Tributary function", ours), ("self time by area", areas)):
    print(f"\n{title}")
    for name, us in counter.most_common(top):
        print(f"{100 * us / total:6.1f}%  {us / 1e3:9.0f} ms  {name}")
