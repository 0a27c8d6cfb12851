# Sourced by the scripts that build or test the widget: the pinned nightly
# toolchain its release build and its browser tests use, and `widget_cargo`,
# which runs cargo with it.
#
# Why a nightly: rebuilding the standard library with the widget
# (`-Z build-std`) and aborting on a panic without formatting a message
# (`-Cpanic=immediate-abort`) leave out the standard library's panic and
# formatting machinery the prebuilt one carries: about 7 KB gzip of the
# wasm. Pinned by date so every machine builds the same bytes; installed by
# scripts/setup.sh with rustup (with rust-src, which build-std compiles).
# The rest of the workspace (edge, shared, tests, clippy) stays on stable.
export QC_WIDGET_TOOLCHAIN="${QC_WIDGET_TOOLCHAIN:-nightly-2026-10-30}"   # rustc 1.101.0-nightly (92b5b8c87 2026-10-29)

# cargo with the widget's toolchain and flags, for `build` and `test` of
# `-p widget --target wasm32-unknown-unknown`. The flags go to the wasm
# target only (build scripts and proc macros are built as usual).
widget_cargo() {
  local sub=$1 flags="-Zunstable-options -Cpanic=immediate-abort"
  shift
  # The test harness is built with the same panic strategy as the release.
  # A failed assertion then shows as the test's FAIL with a stack trace
  # (`RuntimeError: unreachable` at `assert_failed` in the test) but without
  # its message: for the message, run the test on the stable toolchain
  # (`cargo test -p widget --target wasm32-unknown-unknown`).
  [ "$sub" = test ] && flags="$flags -Zpanic_abort_tests"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" \
    cargo "+$QC_WIDGET_TOOLCHAIN" "$sub" -Z build-std=std,panic_abort "$@"
}
