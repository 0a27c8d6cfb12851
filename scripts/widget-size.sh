#!/usr/bin/env bash
# The widget's size budget: the gzip -9 size of everything the browser
# downloads for it (wasm + JS + CSS). The widget loads on every page of a
# merchant's site, so this is checked on every test run.
set -euo pipefail
dir=${1:-edge/assets/widget}
budget=${QC_WIDGET_BUDGET:-90000}
goal=59000
total=0
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
  [ -f "$f" ] || continue
  n=$(gzip -9c "$f" | wc -c)
  printf '  %-28s %9d bytes raw %8d bytes gzip\n' "$(basename "$f")" "$(wc -c <"$f")" "$n"
  total=$((total + n))
done
printf 'widget size: %d bytes gzip (budget %d, goal %d)\n' "$total" "$budget" "$goal"
if [ "$total" -gt "$budget" ]; then
  echo "widget size: over the budget of $budget bytes gzip" >&2
  exit 1
fi
