#!/usr/bin/env bash
# A long local fuzz run: each harness until it has executed RUNS inputs
# (10 M by default), one after another, with the same sanitizer settings and
# limits as `make fuzz`. New inputs collect in WORK/<harness>/corpus and seed
# the next campaign, so a campaign stopped early can be run again and goes
# on from what it found. Appends one line per harness to WORK/summary.txt:
# executions, seconds, the average rate and the exit status (0: nothing
# found; a finding leaves its input in WORK/<harness>/ as make fuzz does).
# RUNS=0 runs each input of the corpus once and adds nothing: how a corpus
# gathered by a faster build (UBSan alone) is checked under ASan.
#
#   fuzz/run_campaign.sh FUZZER_DIR WORK [RUNS [HARNESS...]]
# e.g. make fuzz-campaign FUZZ_RUNS=10000000   (every harness, ~5 core-hours)
set -uo pipefail
fuzzers=$1 work=$2 runs=${3:-10000000}
shift $(($# < 3 ? $# : 3))
seeds_root="$(cd "$(dirname "$0")" && pwd)/corpus"
mkdir -p "$work"
if [ $# -eq 0 ]; then
  set -- $(cd "$seeds_root" && ls)
fi
status=0
for name in "$@"; do
  harness="$fuzzers/${name}_fuzzer"
  [ -x "$harness" ] || { echo "no harness $harness (make build-fuzz)" >&2; exit 2; }
  mkdir -p "$work/$name/corpus"
  started=$(date +%s)
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:max_malloc_fill_size=0:malloc_context_size=10:quarantine_size_mb=64} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$harness" "$work/$name/corpus" "$seeds_root/$name" -runs="$runs" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -error_exitcode=77 -timeout_exitcode=78 \
    -artifact_prefix="$work/$name/" -print_final_stats=1 -close_fd_mask=1 >"$work/$name/fuzz.log" 2>&1
  code=$?
  [ "$code" -eq 0 ] || status=$code
  done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name/fuzz.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name/fuzz.log" | tail -1)
  echo "$name: ${done_runs:-?} executions in $(($(date +%s) - started)) s, ${rate:-?}/s, exit $code" |
    tee -a "$work/summary.txt"
done
exit "$status"
