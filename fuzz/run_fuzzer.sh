#!/usr/bin/env bash
# One fuzz test: the harness over its committed seeds, then SECONDS of new
# inputs. New inputs go to a scratch corpus under the build tree (the
# committed seeds are only read); a crash, sanitizer report, leak, timeout or
# OOM fails the test and leaves the input in WORK/ to reproduce it with
#   HARNESS WORK/crash-...
# Prints the executions per second and the total run.
#
#   run_fuzzer.sh HARNESS SEEDS WORK SECONDS TIMEOUT_S RSS_LIMIT_MB
set -euo pipefail
harness=$1 seeds=$2 work=$3 seconds=$4 timeout_s=$5 rss_mb=$6
[ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ] || { echo "no seeds in $seeds" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/corpus"
log="$work/fuzz.log"
status=0
# -error_exitcode/-timeout_exitcode: any finding ends the run non-zero;
# libFuzzer checks for leaks after each input that allocated more than it
# freed, and at exit. No fill of new allocations, shorter allocation stacks
# and a 64 MB quarantine double the executions per second (sigv4, mp3_decoder)
# and keep every check.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:max_malloc_fill_size=0:malloc_context_size=10:quarantine_size_mb=64} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$harness" "$work/corpus" "$seeds" \
  -max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
  -malloc_limit_mb="$rss_mb" -error_exitcode=77 -timeout_exitcode=78 \
  -artifact_prefix="$work/" -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1 || status=$?
name=$(basename "$harness")
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
corpus=$(find "$work/corpus" -type f | wc -l)
echo "$name: ${runs:-?} executions in ${seconds} s, ${rate:-?}/s, $corpus new corpus inputs, exit $status" |
  tee "$work/summary.txt"
if [ "$status" -ne 0 ]; then
  # The finding: libFuzzer's report, with the sanitizer's stack.
  grep -n -m1 -E "ERROR: |runtime error|fuzz check failed|ALARM|out-of-memory|Timeout" "$log" || true
  tail -n 60 "$log"
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null || true
fi
exit "$status"
