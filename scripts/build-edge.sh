#!/bin/sh
# Builds the edge Worker (edge/ -> edge/build/) for wrangler's [build] step.
# The local stack builds it once up front and sets QC_EDGE_PREBUILT=1, so that
# `wrangler dev` (which runs this twice on start) does not rebuild it again.
set -eu
if [ "${QC_EDGE_PREBUILT:-}" = 1 ] && [ -f edge/build/index.js ]; then
  exit 0
fi
cd "$(dirname "$0")/../edge"
exec worker-build --release
