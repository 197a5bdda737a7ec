#!/usr/bin/env bash
# Prints integrated loudness, loudness range and true peak of an audio file,
# measured independently of namix by ffmpeg's EBU R128 filter.
#   measure_loudness.sh FILE   ->   integrated_lufs=-16.0 lra_lu=4.1 true_peak_dbtp=-1.2
set -euo pipefail
ffmpeg -hide_banner -nostats -i "${1:?usage: measure_loudness.sh FILE}" \
  -af ebur128=peak=true:framelog=verbose -f null - 2>&1 |
  awk '/^ +I:/ {i=$2} /^ +LRA:/ {l=$2} /^ +Peak:/ {p=$2}
       END {printf "integrated_lufs=%s lra_lu=%s true_peak_dbtp=%s\n", i, l, p}'
