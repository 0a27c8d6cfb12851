# Sourced by the other scripts: where the project's tools are, and the switches
# that keep every tool offline (worker-build would otherwise download
# wasm-bindgen, wasm-opt and esbuild; wrangler would fetch cf.json).
QC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The project's own tool folder (cargo install --root). It lives outside the
# clone so that every clone and CI run on this machine reuses the same build.
export QC_TOOLS="${QC_TOOLS:-$HOME/.cache/qonto-checkout/tools}"
# Python tools (Schemathesis) live in a venv beside it.
export QC_VENV="${QC_VENV:-$HOME/.cache/qonto-checkout/venv}"
export PATH="$QC_TOOLS/bin:$QC_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$QC_TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$QC_ROOT/node_modules/.bin/wasm-opt"   # binaryen 132 from npm (Debian's 108 is too old)
export ESBUILD_BIN="$QC_ROOT/node_modules/.bin/esbuild"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
unset CLOUDFLARE_API_TOKEN CLOUDFLARE_ACCOUNT_ID
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$QC_ROOT/webdriver.json"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
export QC_CHROMIUM="${QC_CHROMIUM:-/usr/bin/chromium}"
