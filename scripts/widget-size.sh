#!/usr/bin/env bash
# The widget's size budgets: what the browser downloads for it, gzip -9 and
# brotli (quality 11), per file and in total (wasm + JS + CSS, plus the
# largest language file: a page fetches one at most), and the bootstrap
# (qonto-checkout.js) on its own. The widget loads on every page of a
# merchant's site, so this is checked on every test run.
set -euo pipefail
dir=${1:-edge/assets/widget}
# The product's budget is 90,000 bytes gzip, with a goal of 59,000 (Shopify's
# Buy Button cart script is 58,968): the check fails above the budget and
# prints the distance to both.
budget=${QC_WIDGET_BUDGET:-90000}
goal=59000
# What an idle page downloads (no basket, no return pending, no product card
# or price): the bootstrap alone. Budget 6,000 bytes gzip, goal 2,300 (Lemon
# Squeezy's whole overlay script).
boot_budget=${QC_BOOTSTRAP_BUDGET:-6000}
boot_goal=2300
boot="$dir/qonto-checkout.js"

gz() { gzip -9c "$1" | wc -c; }
br() {
  node -e 'const z = require("zlib");
    const out = z.brotliCompressSync(require("fs").readFileSync(process.argv[1]),
      { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } });
    process.stdout.write(String(out.length));' "$1"
}
row() { # file, label
  printf '  %-28s %9d raw %8d gzip %8d brotli%s\n' "$2" "$(wc -c <"$1")" "$(gz "$1")" "$(br "$1")" "${3:-}"
}

total=0
total_br=0
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
  [ -f "$f" ] || continue
  row "$f" "$(basename "$f")"
  total=$((total + $(gz "$f")))
  total_br=$((total_br + $(br "$f")))
done
# A page downloads one language file at most (none in English): count the largest.
largest=0
largest_name=
for f in "$dir"/i18n/*.txt; do
  [ -f "$f" ] || continue
  n=$(gz "$f")
  if [ "$n" -gt "$largest" ]; then largest=$n; largest_name=$(basename "$f"); fi
done
if [ "$largest" -gt 0 ]; then
  row "$dir/i18n/$largest_name" "i18n/$largest_name" " (largest language file)"
  total=$((total + largest))
  total_br=$((total_br + $(br "$dir/i18n/$largest_name")))
fi
boot_gz=$(gz "$boot")
printf 'bootstrap (an idle page): %d bytes gzip, %d brotli (budget %d: %+d; goal %d: %+d)\n' \
  "$boot_gz" "$(br "$boot")" "$boot_budget" $((boot_gz - boot_budget)) "$boot_goal" $((boot_gz - boot_goal))
printf 'widget size (all of it): %d bytes gzip, %d brotli (budget %d: %+d; goal %d: %+d)\n' \
  "$total" "$total_br" "$budget" $((total - budget)) "$goal" $((total - goal))
failed=0
if [ "$boot_gz" -gt "$boot_budget" ]; then
  echo "widget size: the bootstrap is over its budget of $boot_budget bytes gzip" >&2
  failed=1
fi
if [ "$total" -gt "$budget" ]; then
  echo "widget size: over the budget of $budget bytes gzip" >&2
  failed=1
fi
exit "$failed"
