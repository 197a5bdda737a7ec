#!/usr/bin/env bash
# Makes a demo talk-show episode from nothing but Debian packages: two
# espeak-ng hosts 7 dB apart with natural pauses, a rant, a telephone-band
# media clip, a donation read-out, a music sting and end music, over pink
# noise and 60 Hz hum. Deterministic for a given ROUNDS.
#
#   make_demo_episode.sh OUT.mp3 [ROUNDS]   (ROUNDS=6 gives about 5 minutes)
set -euo pipefail
out=${1:?usage: make_demo_episode.sh OUT.mp3 [ROUNDS]}
rounds=${2:-6}
for tool in espeak-ng sox lame; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (run: make deps)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0

# speak VOICE SPEED PITCH GAIN_DB TEXT -> appends one utterance and a pause
speak() {
  local voice=$1 speed=$2 pitch=$3 gain=$4 text=$5
  n=$((n + 1))
  espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$work/raw.wav" "$text"
  # Trim espeak's own leading/trailing silence so the pauses are ours alone.
  sox -q "$work/raw.wav" -r 44100 -c 2 "$work/$(printf %04d $n).wav" \
    silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse norm "$gain"
}
pause() {  # pause SECONDS
  n=$((n + 1))
  sox -q -n -r 44100 -c 2 "$work/$(printf %04d $n).wav" trim 0 "$1"
}
telephone() {  # telephone TEXT: a media clip, band-limited like a phone line
  n=$((n + 1))
  espeak-ng -v en-us+f3 -s 160 -w "$work/raw.wav" "$1"
  sox -q "$work/raw.wav" -r 8000 -c 1 "$work/tel.wav" sinc 300-3400
  sox -q "$work/tel.wav" -r 44100 -c 2 "$work/$(printf %04d $n).wav" \
    silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse norm -5
}
sting() {  # sting SECONDS: a plucked major chord that rings out
  n=$((n + 1))
  sox -q -n -r 44100 -c 2 "$work/$(printf %04d $n).wav" \
    synth "$1" pluck C4 pluck E4 pluck G4 pluck C5 fade 0.01 "$1" 0.5 norm -4
}

A() { speak en-us+m3 165 40 -6 "$1"; pause "$2"; }      # host A, louder
B() { speak en-gb+m1 150 28 -13 "$1"; pause "$2"; }      # host B, 7 dB quieter
RANT() { speak en-us+m3 200 60 -3 "$1"; pause 0.25; }   # host A ranting: faster, louder

subjects=("The central bank" "The mainstream media" "Big tech" "The committee" "The governor" "The think tank")
objects=("a digital identity plan" "the inflation numbers" "a gas stove ban" "the election results" "a carbon credit scheme" "the housing report")

sting 2.5; pause 0.8
A "Welcome to the best podcast in the universe. In the morning everybody." 0.7
B "In the morning. Good to be here, how are you doing today?" 0.6
for ((r = 0; r < rounds; r++)); do
  s=${subjects[r % 6]}; o=${objects[(r * 5 + 1) % 6]}
  A "So did you see what ${s} did this week with ${o}?" 0.5
  B "I did. I could not believe it. They said it was for our own good." 0.7
  A "Of course they did. Every time they say that, you know something is up." 0.4
  B "Let us play the clip, because you have to hear this." 0.8
  telephone "This is a statement from ${s}. We remain committed to transparency on ${o}, and we will provide an update at the appropriate time."
  pause 0.9
  A "At the appropriate time. Listen to that language." 0.45
  RANT "Here is the thing. Nobody asked for ${o}. Nobody. And yet every single outlet is running the same headline, word for word, like they got a memo."
  RANT "It is the same playbook every time. Announce it on a Friday, bury it under a celebrity story, and then act surprised when people notice."
  RANT "And they wonder why nobody trusts them anymore. Unbelievable."
  pause 0.8
  B "Well, I think you are right about that, mostly." 0.6
  if (( r % 2 == 1 )); then
    B "Now let us thank our producers." 0.5
    B "Thanks to Sir Mark of the Northern Plains for fifty dollars." 0.45
    B "Thanks to Dame Laura of the Lakes for thirty three dollars and thirty three cents." 0.45
    B "Thanks to Baron Steve of Austin for one hundred dollars." 0.45
    B "Thanks to an anonymous producer for twenty dollars." 0.8
  fi
  sting 1.5; pause 0.6
done
A "That is it for today. Thanks for listening, and we will see you on Sunday." 0.5
B "See you then. Bye everybody." 0.9
# End-of-show music: a chord progression, one plucked chord every half second.
chords=("C4 E4 G4" "A3 C4 E4" "F3 A3 C4" "G3 B3 D4")
for ((k = 0; k < 24; k++)); do
  read -r x y z <<< "${chords[(k / 4) % 4]}"
  sox -q -n -r 44100 -c 2 "$work/chord$(printf %02d $k).wav" synth 0.5 pluck "$x" pluck "$y" pluck "$z"
done
n=$((n + 1)); sox -q "$work"/chord*.wav "$work/$(printf %04d $n).wav" fade 0.05 12 2 norm -4
pause 1

sox -q "$work"/0*.wav "$work/speech.wav"
len=$(soxi -D "$work/speech.wav")
# Pink noise at about -62 dBFS and 60 Hz mains hum at about -52 dBFS.
sox -q -n -r 44100 -c 2 "$work/floor.wav" synth "$len" pinknoise synth "$len" sine mix 60 \
  vol 0.0008
sox -q -m -v 1 "$work/speech.wav" -v 1 "$work/floor.wav" "$work/episode.wav"
lame --quiet -b 128 --tt "namix demo episode 42" "$work/episode.wav" "$out"
printf '%s: %.0f s demo episode\n' "$out" "$len"
