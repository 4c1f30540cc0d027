#!/usr/bin/env python3
"""Self time of a .cpuprofile by function and by file: python3 summarize-profile.py FILE [TOP]."""
import json, sys, collections

profile = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
nodes = {n["id"]: n for n in profile["nodes"]}
deltas = profile.get("timeDeltas", [])
self_us = collections.Counter()
for sample, delta in zip(profile.get("samples", []), deltas):
    self_us[sample] += delta
total = sum(self_us.values()) or 1
by_fn, by_file = collections.Counter(), collections.Counter()
for node_id, us in self_us.items():
    frame = nodes[node_id]["callFrame"]
    url = frame.get("url") or "(native)"
    short = url.split("node_modules/")[-1] if "node_modules" in url else url.split("/")[-1] if url.startswith("file:") else url
    by_fn[f'{frame.get("functionName") or "(anonymous)"}  {short}:{frame.get("lineNumber", 0) + 1}'] += us
    by_file[short if "node_modules" not in url else "/".join(short.split("/")[:2 if short.startswith("@") else 1])] += us
print(f"total sampled {total / 1e6:.2f} s")
for title, counter in (("self time by function", by_fn), ("self time by file/package", by_file)):
    print(f"\n{title}")
    for name, us in counter.most_common(top):
        print(f"{100 * us / total:6.1f}%  {us / 1e3:9.0f} ms  {name}")
