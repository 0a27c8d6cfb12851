#!/usr/bin/env bash
# Builds the widget into edge/assets/widget/ (served by the edge under /widget/):
# qonto-checkout.js (loader), widget.js (wasm-bindgen glue), widget_bg.wasm.
# Prints the gzip size of what a browser downloads, and fails above the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
out=edge/assets/widget
cargo build -p widget --target wasm32-unknown-unknown --release --quiet
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name widget \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/widget.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-reference-types \
  "$out/widget_bg.wasm" -o "$out/widget_bg.wasm"
cp widget/js/qonto-checkout.js "$out/qonto-checkout.js"
bash scripts/widget-size.sh "$out"
