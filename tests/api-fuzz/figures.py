"""Prints the API fuzzing run's figures from Schemathesis's HAR report:
requests sent, answers by status class, server errors, and whether every
405 carried `Allow`. Exits non-zero if a 500 was seen or a 405 lacked
`Allow` (Schemathesis fails the run on any 5xx and on both of these too;
this makes the margin visible)."""
import glob
import json
import sys
from collections import Counter

paths = glob.glob(f"{sys.argv[1]}/**/*.har", recursive=True) + glob.glob(f"{sys.argv[1]}/*.json")
entries = []
for path in paths:
    with open(path, encoding="utf-8") as f:
        try:
            entries += json.load(f)["log"]["entries"]
        except (ValueError, KeyError):
            pass

classes = Counter()
statuses = Counter()
operations = set()
server_errors = []
no_allow = []
for e in entries:
    status = e["response"]["status"]
    statuses[status] += 1
    classes[f"{status // 100}xx"] += 1
    url = e["request"]["url"].split("?")[0]
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else url
    operations.add((e["request"]["method"], path))
    if status >= 500:
        server_errors.append(f'{e["request"]["method"]} {path} -> {status}')
    if status == 405:
        names = {h["name"].lower() for h in e["response"].get("headers", [])}
        if "allow" not in names:
            no_allow.append(f'{e["request"]["method"]} {path}')

print("API fuzzing figures:")
print(f"  requests sent: {len(entries)} (distinct method+path: {len(operations)})")
print("  answers: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
print("  by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
print(f"  refused (4xx): {classes['4xx']}, unauthenticated (401): {statuses[401]}, "
      f"rate limited (429): {statuses[429]}, method not allowed (405): {statuses[405]}")
print(f"  server errors (5xx): {len(server_errors)}" +
      (" of which 502/503/504 from Qonto or configuration: " +
       str(sum(1 for s in server_errors if s.endswith(('502', '503', '504')))) if server_errors else ""))
for s in sorted(set(server_errors))[:20]:
    print(f"    {s}")
print(f"  405 without Allow: {len(no_allow)}")
for s in sorted(set(no_allow))[:20]:
    print(f"    {s}")
if not entries:
    print("  no requests recorded", file=sys.stderr)
    sys.exit(1)
sys.exit(1 if any(s.endswith("500") for s in server_errors) or no_allow else 0)
