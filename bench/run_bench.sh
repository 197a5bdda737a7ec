#!/usr/bin/env bash
# Whole-pipeline benchmarks, run by hand: `make bench` or
#   bench/run_bench.sh [--runs N] [--corpus DIR]
# Finds or makes a 3-hour and a 60-minute episode, then runs the baselines
# and namix alternately N times and prints the median wall time, the ratio to
# the baseline measured in the same run, and the peak RSS of each case. The
# remaster runs at the default LAME -q 3 and at --mp3-quality 7, the latter
# against both the goal's ffmpeg and ffmpeg at the same -q.
#
# The floor line is LAME's own share of the default remaster: ffmpeg's
# single-threaded transcode of namix's -q 3 output at the same settings (the
# mix as decoded, so within its coding noise of what namix fed LAME), less
# ffmpeg's decode of that file, halved for the two encoder threads: a lower
# bound on what LAME alone needs on these 2 cores for the audio namix has to
# encode (a perfect split, no chunk pre-roll), before any decode, analysis,
# rendering or limiting.
#
# Episodes: ../shared/corpus/make_episode.py when present (cached in
# $NAMIX_BENCH_CORPUS, default ~/.cache/namix-bench), else our own generator.
set -euo pipefail
runs=3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${NAMIX_BENCH_CORPUS:-$HOME/.cache/namix-bench}
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    *) echo "usage: run_bench.sh [--runs N] [--corpus DIR]" >&2; exit 2 ;;
  esac
done
namix=${NAMIX:-$root/build/src/app/namix}
[ -x "$namix" ] || { echo "build first: make build" >&2; exit 1; }
mkdir -p "$corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

episode() {  # episode MINUTES SEED -> path
  local m=$1 s=$2
  local f="$corpus/ep${m}_s${s}.mp3"
  if [ ! -s "$f" ]; then
    local gen="$root/../shared/corpus/make_episode.py"
    if [ -f "$gen" ]; then
      echo "making a ${m}-minute corpus episode (once; cached in $corpus)..." >&2
      /usr/bin/python3 "$gen" --minutes "$m" --seed "$s" --out "$f" >&2
    else
      # Our own generator: ~7 minutes per 6 rounds; repeat to length.
      echo "making a ${m}-minute episode with scripts/make_demo_episode.sh..." >&2
      "$root/scripts/make_demo_episode.sh" "$f" $((m * 6 / 7 + 1)) >&2
    fi
  fi
  echo "$f"
}

# measure NAME CMD... -> appends "seconds rss_kb" to $tmp/NAME
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
    { echo "failed: $* ($(tail -1 "$tmp/err"))" >&2; return 1; }
  cat "$tmp/time" >> "$tmp/$name"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v c="$1" '{print $c}' "$tmp/$2" | median; }

ep180=$(episode 180 1)
ep60=$(episode 60 3)
# The 3-hour episode's transcript, when its generator wrote one beside it.
tx180=${ep180%.mp3}.srt
[ -s "$tx180" ] || tx180=

for ((i = 0; i < runs; i++)); do
  measure mpg123_180 mpg123 -q -t "$ep180"
  measure best90_180 "$namix" mix "$ep180" --theme "Best Of" --duration 90 --out "$tmp/a.mp3" --quiet
  # The same with the episode's 3-hour transcript: read, aligned, re-timed.
  [ -z "$tx180" ] || measure best90tx_180 "$namix" mix "$ep180" --theme "Best Of" --duration 90 \
    --transcript "$tx180" --transcript-out "$tmp/a.vtt" --out "$tmp/a.mp3" --quiet
  measure mix300_180 "$namix" mix "$ep180" --theme "Best Of" --duration 300 --out "$tmp/b.mp3" --quiet
  measure ffmpeg_60 ffmpeg -v error -threads 1 -y -i "$ep60" -c:a libmp3lame -b:a 320k "$tmp/c.mp3"
  measure full_60 "$namix" mix "$ep60" --theme "Best Of" --duration full --out "$tmp/d.mp3" --quiet
  # The same at LAME -q 7 (no noise shaping), against the goal's baseline and
  # against ffmpeg at the same -q.
  measure ffmpeg7_60 ffmpeg -v error -threads 1 -y -i "$ep60" -c:a libmp3lame -b:a 320k \
    -compression_level 7 "$tmp/e.mp3"
  measure full7_60 "$namix" mix "$ep60" --theme "Best Of" --duration full --mp3-quality 7 \
    --out "$tmp/f.mp3" --quiet
  # LAME's share of the default remaster (see the floor line below).
  measure lame_mastered ffmpeg -v error -threads 1 -y -i "$tmp/d.mp3" -c:a libmp3lame -b:a 320k \
    "$tmp/g.mp3"
  measure decode_mastered ffmpeg -v error -threads 1 -i "$tmp/d.mp3" -f null -
done

printf '%-44s %10s %8s %10s %8s\n' case "median s" ratio "RSS MB" goal
row() {  # row LABEL CASE BASE GOAL_RATIO GOAL_RSS_MB
  local t b rss
  t=$(col 1 "$2"); b=$(col 1 "$3"); rss=$(col 2 "$2")
  local goal="≤$4×, ≤${5}MB"
  [ "$4" = - ] && goal="≤${5}MB"
  awk -v l="$1" -v t="$t" -v b="$b" -v r="$rss" -v g="$goal" \
    'BEGIN {printf "%-44s %10.2f %8.2f %10.0f %8s\n", l, t, t / b, r / 1024, g}'
}
printf '%-44s %10.2f\n' "baseline: mpg123 -q -t (3 h, 128 kbps)" "$(col 1 mpg123_180)"
printf '%-44s %10.2f\n' "baseline: ffmpeg libmp3lame 320k (60 min)" "$(col 1 ffmpeg_60)"
printf '%-44s %10.2f\n' "baseline: the same, -compression_level 7" "$(col 1 ffmpeg7_60)"
row "namix 3 h -> 90 s Best Of (vs mpg123)" best90_180 mpg123_180 0.75 300
if [ -n "$tx180" ]; then
  row "  with its 3 h transcript (vs without)" best90tx_180 best90_180 - 300
  awk -v t="$(col 1 best90tx_180)" -v b="$(col 1 best90_180)" \
    'BEGIN {printf "%-44s %10.2f %8s %10s %8s\n", "  transcript cost: median difference", t - b, "", "", "≤0.3 s"}'
fi
row "namix 3 h -> 5 min mix (vs mpg123)" mix300_180 mpg123_180 1.0 300
row "namix 60 min full remaster (vs ffmpeg)" full_60 ffmpeg_60 0.6 500
row "  --mp3-quality 7 (vs ffmpeg)" full7_60 ffmpeg_60 0.6 500
row "  --mp3-quality 7 (vs ffmpeg at -q 7)" full7_60 ffmpeg7_60 - 500
awk -v e="$(col 1 lame_mastered)" -v d="$(col 1 decode_mastered)" -v b="$(col 1 ffmpeg_60)" \
  'BEGIN {printf "%-44s %10.2f %8.2f\n", "  floor at -q 3: LAME alone, 2 threads", (e - d) / 2, (e - d) / 2 / b}'
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d); runs: $runs"

# A mix of a URL decodes the episode while it downloads: how much of the
# download time the mix hides.
echo
/usr/bin/python3 "$here/fetch_overlap.py" "$ep180" --runs "$runs" --namix "$namix"
