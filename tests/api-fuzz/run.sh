#!/usr/bin/env bash
# API fuzzing against docs/openapi.json: Schemathesis (PyPI) sends generated
# valid and invalid requests to every operation of the running edge, follows
# the document's links (a created checkout's id into the id-taking
# operations), and checks each answer against the document: no 5xx, status
# codes and bodies as documented, 401 without credentials, 405 with `Allow`.
#
# Run through the stack launcher, which starts the edge and the fake Qonto and
# sets QC_EDGE_URL and QC_ADMIN_TOKEN:
#   target/debug/qc-stack run -- bash tests/api-fuzz/run.sh
# (scripts/test.sh does). QC_API_FUZZ_EXAMPLES overrides the examples per
# operation.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${QC_EDGE_URL:?run through qc-stack run}"
: "${QC_ADMIN_TOKEN:?run through qc-stack run}"
VENV="${QC_VENV:-$HOME/.cache/qonto-checkout/venv}"
if [ ! -x "$VENV/bin/st" ]; then
  echo "Schemathesis is not installed in $VENV: run scripts/setup.sh" >&2
  exit 1
fi
report=$(mktemp -d)
set +e
"$VENV/bin/st" --config-file tests/api-fuzz/schemathesis.toml run docs/openapi.json \
  --url "$QC_EDGE_URL" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${QC_API_FUZZ_EXAMPLES:-20}" \
  --workers 1 \
  --request-timeout 60 \
  --seed 1 \
  --report har --report-dir "$report" \
  --no-color
status=$?
set -e
figures=0
python3 tests/api-fuzz/figures.py "$report" || figures=$?
rm -rf "$report"
# The test command fails on an answer that disagrees with the document
# (Schemathesis exits 1: a status, header or body not as documented, a
# document-valid request refused, a document-invalid one accepted), on
# Schemathesis failing to run (exit 2+), and on what figures.py refuses
# (a 500, a 405 without Allow).
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
exit "$figures"
