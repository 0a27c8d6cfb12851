#!/usr/bin/env bash
# The widget's load benchmark (not part of the test command): our widget and
# Shopify's Buy Button script side by side in headless Chromium, CPU 4x
# slower, network 1.6 Mbit/s with a 150 ms round trip (widget/tools/bench.mjs).
# Builds the widget, fetches Shopify's script once from npm (`npm pack
# @shopify/buy-button-js`: its bundled buybutton.min.js, none of its
# dependencies) into the tool folder's bench/, and runs the benchmark
# against the local stack.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
BUY_BUTTON_VERSION=3.0.6
bench="$QC_TOOLS/../bench"
script="$bench/package/dist/buybutton.min.js"
if ! grep -q "\"version\": \"$BUY_BUTTON_VERSION\"" "$bench/package/package.json" 2>/dev/null; then
  rm -rf "$bench" && mkdir -p "$bench"
  (cd "$bench" && npm pack "@shopify/buy-button-js@$BUY_BUTTON_VERSION" --silent >/dev/null &&
    tar -xzf "shopify-buy-button-js-$BUY_BUTTON_VERSION.tgz")
fi
bash scripts/build-widget.sh
cargo build --quiet -p qc-stack --bin qc-stack
"${CARGO_TARGET_DIR:-target}/debug/qc-stack" run -- node widget/tools/bench.mjs "$script"
