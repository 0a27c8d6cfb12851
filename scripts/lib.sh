# Sourced helpers: timed stages, so every run prints how long each step took.
QC_STAGE_NAME=""
QC_STAGE_START=0
QC_RUN_START=${QC_RUN_START:-$(date +%s)}
export QC_RUN_START
stage() {
  QC_STAGE_NAME=$1
  QC_STAGE_START=$(date +%s)
  printf '\n==> %s\n' "$QC_STAGE_NAME"
}
done_stage() {
  local now; now=$(date +%s)
  printf '<== %s: %ds (total %ds)\n' "$QC_STAGE_NAME" $((now - QC_STAGE_START)) $((now - QC_RUN_START))
}
