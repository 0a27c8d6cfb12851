#!/usr/bin/env bash
# The project's test command (README): sets up a fresh machine as needed, then
# builds and tests every part, printing how long each stage took.
#   shared rules, fake Qonto, edge units   -> cargo test (host)
#   widget                                  -> release build + size budget, browser tests in Chromium
#   edge under wrangler dev + fake Qonto    -> cargo test -p qc-stack (real workerd, D1, Durable Objects;
#                                              the Worker built with tests/stack/fixtures' catalog)
#   admin page and shopper journey          -> Playwright (playwright-core) in Debian's Chromium
#   the HTTP API against its OpenAPI document -> Schemathesis (PyPI) on the running edge
#   deploy bundle                           -> wrangler deploy --dry-run (offline)
set -euo pipefail
cd "$(dirname "$0")/.."
export QC_RUN_START=$(date +%s)
bash scripts/setup.sh
. scripts/env.sh
. scripts/lib.sh
. scripts/widget-toolchain.sh

stage "format and lints"
cargo fmt --all -- --check
cargo clippy --quiet -p shared -p edge -p fake-qonto -p qc-stack --all-features --all-targets -- -D warnings
cargo clippy --quiet -p widget -p wasm-streams --target wasm32-unknown-unknown --all-targets -- -D warnings
done_stage

stage "unit tests: shared, fake Qonto, edge, widget logic (host)"
cargo test -p shared -p fake-qonto -p edge --all-features
# The widget's pure logic (bill, basket changes, details, return decisions,
# texts) on the host; the browser tests below check the wiring.
cargo test -p widget --lib
done_stage

stage "widget: release build, size budget, and the built bundle under a strict CSP"
bash scripts/build-widget.sh
node widget/tools/smoke.mjs
done_stage

stage "widget: browser tests (headless Chromium), built as the release is ($QC_WIDGET_TOOLCHAIN)"
widget_cargo test -p widget --target wasm32-unknown-unknown
done_stage

stage "edge: build (worker-build): the shop's Worker and the tests' (their own catalog)"
sh scripts/build-edge.sh
sh scripts/build-edge.sh --test
done_stage

stage "edge: integration tests under wrangler dev against the fake Qonto"
cargo test -p qc-stack -- --test-threads=1
done_stage

stage "end to end: the admin page in Chromium (edge not yet connected)"
cargo build --quiet -p qc-stack --bin qc-stack
target/debug/qc-stack run --no-connect -- node --test --test-concurrency=1 tests/e2e/admin.test.mjs
done_stage

stage "end to end: the widget's first load and the shopper journey in Chromium"
target/debug/qc-stack run -- node --test --test-concurrency=1 tests/e2e/bootstrap.test.mjs tests/e2e/journey.test.mjs tests/e2e/a11y.test.mjs tests/e2e/discounts.test.mjs
done_stage

stage "API fuzzing: Schemathesis against docs/openapi.json on the running edge"
target/debug/qc-stack run -- bash tests/api-fuzz/run.sh
done_stage

stage "deploy: wrangler deploy --dry-run"
out=$(mktemp -d)
QC_EDGE_PREBUILT=1 wrangler deploy --dry-run --outdir "$out" 2>&1 | tail -n 15
ls -l "$out"
rm -rf "$out"
done_stage

printf '\nAll tests passed in %ds.\n' $(( $(date +%s) - QC_RUN_START ))
