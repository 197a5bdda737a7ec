#!/usr/bin/env bash
# `make demo`: makes a demo episode with espeak-ng (no downloads, nothing
# from outside the repo), mixes a 60 s Best Of from it, and prints where the
# mix is and what it measures.
set -euo pipefail
namix=${1:?usage: demo.sh PATH/TO/namix}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p demo
if [ ! -s demo/episode-42.mp3 ]; then
  echo "making the demo episode (about 7 minutes of audio, ~20 s)..."
  "$here/make_demo_episode.sh" demo/episode-42.mp3 6
fi
"$namix" mix demo/episode-42.mp3 --theme "Best Of" --duration 60 \
  --out demo/best-of-42.mp3 --json demo/best-of-42.json
echo
echo "mix:          $(pwd)/demo/best-of-42.mp3"
echo "edit list:    $(pwd)/demo/best-of-42.json"
echo "measured by ffmpeg: $("$here/measure_loudness.sh" demo/best-of-42.mp3)"
ffprobe -v error -show_entries stream=codec_name,sample_rate,channels,bit_rate:format=duration \
  -of default=nw=1 demo/best-of-42.mp3 | paste -sd' '
echo "chapters:     $(ffprobe -v error -show_chapters -of csv=p=0 demo/best-of-42.mp3 | wc -l)"
echo "play it:      mpg123 demo/best-of-42.mp3   (or open it in any player)"
