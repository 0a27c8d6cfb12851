#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine, skipping every
# step that is already done. Only crates.io, npm and Debian packages are used:
# nothing downloads a browser, a toolchain or a binary from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/lib.sh
. scripts/widget-toolchain.sh

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate in Cargo.lock

stage "setup: rust target wasm32"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
done_stage

stage "setup: rust $QC_WIDGET_TOOLCHAIN for the widget (rustup, with rust-src and wasm32)"
if ! rustup toolchain list | grep -q "^$QC_WIDGET_TOOLCHAIN-"; then
  rustup toolchain install "$QC_WIDGET_TOOLCHAIN" --profile minimal \
    --component rust-src --target wasm32-unknown-unknown
fi
if ! rustup component list --toolchain "$QC_WIDGET_TOOLCHAIN" --installed | grep -q '^rust-src'; then
  rustup component add rust-src --toolchain "$QC_WIDGET_TOOLCHAIN"
fi
if ! rustup target list --toolchain "$QC_WIDGET_TOOLCHAIN" --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown --toolchain "$QC_WIDGET_TOOLCHAIN"
fi
done_stage

stage "setup: chromium + chromedriver (Debian)"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
done_stage

stage "setup: npm ci"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
done_stage

stage "setup: worker-build $WORKER_BUILD_VERSION, wasm-bindgen-cli $WASM_BINDGEN_VERSION"
mkdir -p "$QC_TOOLS"
if ! "$QC_TOOLS/bin/worker-build" --version 2>/dev/null | grep -q "$WORKER_BUILD_VERSION"; then
  cargo install --root "$QC_TOOLS" worker-build --version "$WORKER_BUILD_VERSION" --locked
fi
if ! "$QC_TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lockfile pins a webpki-roots release the registry here lacks.
  cargo install --root "$QC_TOOLS" wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
done_stage

SCHEMATHESIS_VERSION=4.32.5   # tests/api-fuzz/run.sh checks the same version
stage "setup: schemathesis $SCHEMATHESIS_VERSION (PyPI, in the tool folder's venv)"
if ! "$QC_VENV/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$QC_VENV"
  "$QC_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
done_stage
