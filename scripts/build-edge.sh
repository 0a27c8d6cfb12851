#!/bin/sh
# Builds the edge Worker (edge/ -> edge/build/) for wrangler's [build] step.
# With --test it builds the integration tests' Worker instead: the catalog
# and shipping rules of tests/stack/fixtures/ compiled in (edge/build.rs reads
# QC_MERCHANT_FILES), into edge/build-test/, so the merchant's edits to
# catalog.json never break the tests.
# The local stack builds it once up front and sets QC_EDGE_PREBUILT=1 (and
# QC_EDGE_OUT, the folder it runs), so that `wrangler dev` (which runs this
# twice on start) does not rebuild it again.
set -eu
out=${QC_EDGE_OUT:-build}
if [ "${1:-}" = --test ]; then
  out=build-test
  export QC_MERCHANT_FILES=tests/stack/fixtures
fi
if [ "${QC_EDGE_PREBUILT:-}" = 1 ] && [ -f "edge/$out/index.js" ]; then
  exit 0
fi
cd "$(dirname "$0")/../edge"
exec worker-build --release --out-dir "$out"
