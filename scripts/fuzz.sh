#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz) of the `shared`
# parsers that read untrusted text. Not part of the test command: it needs a
# nightly toolchain and minutes per target.
#
#   bash scripts/fuzz.sh                 # every target, 300 s each
#   QC_FUZZ_SECONDS=60 bash scripts/fuzz.sh money basket
#
# Installs (once, skipped when present): the pinned nightly below with rustup,
# and cargo-fuzz into the project's tool folder. The corpus grows in
# fuzz/corpus/<target>/ (committed: each run adds the inputs that reach new
# code); a crash is saved in
# fuzz/artifacts/<target>/ and the run stops with its path: turn that input
# into a unit test in `shared` before fixing the bug.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
. scripts/lib.sh

NIGHTLY=nightly-2026-10-30        # rustc 1.101.0-nightly (92b5b8c87 2026-10-29)
CARGO_FUZZ_VERSION=0.13.2
SECONDS_PER_TARGET=${QC_FUZZ_SECONDS:-300}
ALL_TARGETS=(money vat signature basket catalog qonto)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

stage "fuzz setup: $NIGHTLY, cargo-fuzz $CARGO_FUZZ_VERSION"
if ! rustup toolchain list | grep -q "^$NIGHTLY"; then
  rustup toolchain install "$NIGHTLY" --profile minimal
fi
if ! "$QC_TOOLS/bin/cargo-fuzz" --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install --root "$QC_TOOLS" cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
done_stage

summary=()
for target in "${TARGETS[@]}"; do
  stage "fuzz $target for ${SECONDS_PER_TARGET}s"
  mkdir -p "fuzz/corpus/$target"
  log=$(mktemp)
  # The committed seeds are read-only input; what the run finds goes to a
  # scratch corpus that is merged back (minimised) at the end.
  scratch=$(mktemp -d)
  if ! (cd fuzz && cargo "+$NIGHTLY" fuzz run "$target" "$scratch" "corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048) \
        >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $target: CRASH (input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  # Keep only the new inputs that add coverage (libFuzzer's merge).
  (cd fuzz && cargo "+$NIGHTLY" fuzz run "$target" "corpus/$target" "$scratch" -- -merge=1 \
        >/dev/null 2>&1 || true)
  files=$(find "fuzz/corpus/$target" -type f | wc -l)
  summary+=("$target: ${runs:-?} inputs in ${SECONDS_PER_TARGET}s, coverage ${cov:-?} edges, corpus $files files, 0 crashes")
  rm -rf "$scratch" "$log"
  done_stage
done

printf '\nFuzzing summary (%s):\n' "$NIGHTLY"
printf '  %s\n' "${summary[@]}"
