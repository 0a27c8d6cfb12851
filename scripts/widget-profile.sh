#!/usr/bin/env bash
# The widget's per-function size profile (not part of the test command):
# builds the widget, then prints twiggy's top items of the shipped wasm
# (optimised exactly as the release, with its function names kept) and of
# the wasm before wasm-opt. Installs twiggy from crates.io into the project's
# tool folder once (skipped when that version is there).
#   bash scripts/widget-profile.sh [N]     (N items, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/lib.sh
TWIGGY_VERSION=0.8.0
top=${1:-10}

stage "twiggy $TWIGGY_VERSION (crates.io)"
if ! "$QC_TOOLS/bin/twiggy" --version 2>/dev/null | grep -q "$TWIGGY_VERSION"; then
  cargo install --root "$QC_TOOLS" twiggy --version "$TWIGGY_VERSION" --locked
fi
done_stage

stage "widget: release build"
named="$(mktemp -d)/widget_bg.named.wasm"
trap 'rm -rf "$(dirname "$named")"' EXIT
QC_WIDGET_NAMED_WASM="$named" bash scripts/build-widget.sh
done_stage

stage "the shipped wasm (after wasm-opt; names kept only for this profile)"
# The names subsection exists only in this copy: left out of the list.
twiggy top -n $((top + 1)) "$named" | grep -v '"function names" subsection'

done_stage

stage "before wasm-opt (wasm-bindgen's output)"
twiggy top -n $((top + 1)) "${CARGO_TARGET_DIR:-target}/widget-build/widget_bg.wasm" |
  grep -v '"function names" subsection'

done_stage
