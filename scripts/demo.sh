#!/usr/bin/env bash
# The project's demo command (README): sets up a fresh machine as needed,
# builds the widget and the edge, then starts the fake Qonto, the edge under
# `wrangler dev` (D1 migrated) and the demo shop, and prints the URL to open.
# Ports: QC_SHOP_PORT (8080), QC_EDGE_PORT (8787), QC_FAKE_QONTO_PORT (8790).
# QC_QONTO=sandbox points the edge at Qonto's real sandbox (credentials and
# staging token from .qonto-sandbox.env); QC_QONTO_API_URL / QC_QONTO_OAUTH_URL
# at any other Qonto base URL (README, "Try it in Qonto's sandbox first").
set -euo pipefail
cd "$(dirname "$0")/.."
export QC_RUN_START=$(date +%s)
bash scripts/setup.sh
. scripts/env.sh
. scripts/lib.sh

stage "build: widget"
bash scripts/build-widget.sh
done_stage
stage "build: edge"
sh scripts/build-edge.sh
done_stage
stage "build: local stack"
cargo build --quiet -p qc-stack --bin qc-stack
done_stage

exec target/debug/qc-stack demo
