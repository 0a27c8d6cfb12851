#!/usr/bin/env bash
# Builds the widget into edge/assets/widget/ (served by the edge under /widget/):
# - qonto-checkout.js: the bootstrap, the only file an idle page downloads
#   (widget/js/qonto-checkout.js with language.js; esbuild, minified);
# - widget.js: the wasm-bindgen glue, imported by the bootstrap when the
#   widget is needed (esbuild, minified; unused glue such as server_fn's
#   stream classes is tree-shaken);
# - widget_bg.wasm: the widget, after wasm-opt -Oz, fetched with widget.js;
# - i18n/<lang>.txt: the texts of fr, de, it, es, nl (English is built in;
#   the loader fetches the page's language only);
# - qonto-checkout.d.ts: the TypeScript declarations of the JS API and events.
# Prints the gzip and brotli sizes of what a browser downloads, and fails
# above the budget. The wasm is built with the pinned nightly of
# scripts/widget-toolchain.sh (standard library rebuilt, panics abort at once).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/widget-toolchain.sh
out=edge/assets/widget
target=${CARGO_TARGET_DIR:-target}
work="$target/widget-build"
widget_cargo build -p widget --target wasm32-unknown-unknown --release --quiet
rm -rf "$work"
mkdir -p "$work" "$out"
wasm-bindgen --target web --no-typescript --out-dir "$work" --out-name widget \
  "$target/wasm32-unknown-unknown/release/widget.wasm"
# The languages other than English are the text files in widget/src/i18n/
# (the widget's tests check they are its languages): the loader gets the list
# from here, not from a copy kept by hand.
langs=$(cd widget/src/i18n && ls -- *.txt | sed 's/\.txt$//' | grep -vx en | sort)
list=$(printf '"%s", ' en $langs | sed 's/, $//')
grep -q '^const LANGUAGES = \[\];' widget/js/qonto-checkout.js
sed "s/^const LANGUAGES = \[\];/const LANGUAGES = [$list];/" widget/js/qonto-checkout.js >"$work/qonto-checkout.js"
cp widget/js/language.js widget/js/glue.js "$work/"
# Short import/export names instead of wasm-bindgen's hashed ones (-5 KB gzip).
node widget/tools/shrink-imports.mjs "$work"
# Files of earlier layouts must not linger in the served folder.
rm -rf "$out"/*.js "$out"/*.wasm "$out"/*.css "$out"/i18n
mkdir -p "$out/i18n"
for lang in $langs; do
  cp "widget/src/i18n/$lang.txt" "$out/i18n/$lang.txt"
done
# (Leptos's server functions stream through `wasm-streams`, whose exported
# JavaScript classes no optimiser can drop: the workspace patches in
# widget/streams-stub instead.) --converge repeats -Oz while it still
# shrinks (-0.1 KB).
# The widget's memory is its own (not imported), so it starts zeroed, and
# Rust's stack grows down towards address 0, which it only reaches on an
# overflow: both let the optimiser fold stores and offsets (-0.5 KB).
# The producers and target-features sections are for tools, not browsers
# (-0.2 KB).
opt=(wasm-opt --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-multivalue --enable-reference-types
  --zero-filled-memory --low-memory-unused -Oz --converge
  --strip-producers --strip-target-features)
"${opt[@]}" "$work/widget_bg.wasm" -o "$out/widget_bg.wasm"
# For scripts/widget-profile.sh: the same optimisation, keeping the names.
if [ -n "${QC_WIDGET_NAMED_WASM:-}" ]; then
  "${opt[@]}" --debuginfo "$work/widget_bg.wasm" -o "$QC_WIDGET_NAMED_WASM"
fi
# The bootstrap imports ./widget.js at run time, next to itself: not bundled.
esbuild "$work/qonto-checkout.js" --bundle --format=esm --minify --target=es2020 \
  --external:./widget.js --legal-comments=none --log-level=warning --outfile="$out/qonto-checkout.js"
esbuild "$work/glue.js" --bundle --format=esm --minify --target=es2020 \
  --legal-comments=none --log-level=warning --outfile="$out/widget.js"
cp widget/qonto-checkout.d.ts "$out/qonto-checkout.d.ts"
bash scripts/widget-size.sh "$out"
