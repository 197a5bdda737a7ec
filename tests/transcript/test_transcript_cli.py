#!/usr/bin/env python3
"""Integration test of `namix analyze EP --transcript T` on an episode made here.

Two hosts talk for about 100 s (espeak-ng voices, host B 7 dB quieter);
the test writes the true transcript (SubRip with "Name:" speakers, WebVTT
with <v Name>, Podcasting 2.0 JSON), then serves the episode with a 12 s
music pre-roll and a 20 s mid-roll (a third voice reading an ad, then a
tone bed) spliced into the audio only, over a noise floor, encoded to MP3
with lame. namix analyses the served file and aligns the transcript; every
cue it places must start within 0.2 s of where it truly plays.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import unittest

ARGS = None
SR = 44100

LINES = [
    ("Alex", "Good morning everybody, and welcome to the show."),
    ("Blake", "Good morning to you too."),
    ("Alex", "The central bank announced a new plan for digital identity, and nobody asked a question."),
    ("Blake", "Well, I am not so sure about that."),
    ("Alex", "Here is the thing though."),
    ("Alex", "The committee quietly approved the housing report on a Friday night."),
    ("Blake", "Follow the money, as always."),
    ("Alex", "The experts walked back the inflation numbers again."),
    ("Blake", "That is exactly right."),
    ("Alex", "The governor leaked the official talking points to the press."),
    ("Blake", "Come on, you cannot be serious."),
    ("Alex", "Big tech rebranded the carbon credit scheme last week."),
    ("Blake", "And now, let us thank the producers of this episode."),
    ("Blake", "Thank you to Sir John Miller in Austin, who sent in fifty dollars."),
    ("Alex", "Thank you, Sir John."),
    ("Blake", "Thank you to Dame Mary Garcia in Denver, who sent in one hundred dollars."),
    ("Alex", "Let us take a short break."),
    ("Blake", "We will be right back after this."),
    ("Alex", "And we are back with more news from the week."),
    ("Alex", "The gas stove story will not go away, and neither will the mandate for electric cars."),
    ("Blake", "Nobody wants to give up their stove."),
    ("Alex", "They never ask the people who actually cook."),
    ("Blake", "I have been saying that for years."),
    ("Blake", "The ministry of information has a statement, of course."),
    ("Alex", "Of course it does."),
]
VOICES = {"Alex": ("en-us", 165, 40, -6.0), "Blake": ("en-gb", 150, 28, -13.0)}
AD_LINES = ["Try the new mattress that sleeps like a cloud.",
            "Visit our website today and save twenty percent."]


def run(*cmd):
    subprocess.run(list(cmd), check=True, capture_output=True)


def seconds(path):
    return float(subprocess.run(["soxi", "-D", path], check=True, capture_output=True, text=True).stdout)


def say(path, voice, speed, pitch, peak_db, text):
    """One utterance, trimmed to where it sounds, at 44.1 kHz mono."""
    raw = path + ".raw.wav"
    run("espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", raw, text)
    run("sox", raw, "-r", str(SR), "-c", "1", "-b", "16", path,
        "silence", "1", "0.005", "-55d", "reverse", "silence", "1", "0.005", "-55d", "reverse",
        "gain", "-n", str(peak_db))
    os.remove(raw)
    return seconds(path)


def silence(path, length_s):
    run("sox", "-n", "-r", str(SR), "-c", "1", "-b", "16", path, "trim", "0", "%.4f" % length_s)


def concat(out, parts):
    run("sox", *parts, out)


def cues_of(speaker, text, start, end, max_chars=64):
    """A captioner's cues: lines of at most ~64 characters, timed in proportion."""
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > max_chars:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    lines.append(cur)
    total = sum(len(x) for x in lines)
    t, out = start, []
    for line in lines:
        dt = (end - start) * len(line) / total
        out.append({"start": t, "end": t + dt, "speaker": speaker, "text": line})
        t += dt
    return out


def stamp(t, sep):
    ms = int(round(t * 1000))
    return "%02d:%02d:%02d%s%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, sep, ms % 1000)


def write_transcripts(work, cues):
    paths = {}
    with open(os.path.join(work, "episode.srt"), "w") as f:
        for i, c in enumerate(cues, 1):
            f.write("%d\n%s --> %s\n%s: %s\n\n" % (i, stamp(c["start"], ","), stamp(c["end"], ","),
                                                  c["speaker"], c["text"]))
        paths["srt"] = f.name
    with open(os.path.join(work, "episode.vtt"), "w") as f:
        f.write("WEBVTT\n\n")
        for c in cues:
            f.write("%s --> %s\n<v %s>%s\n\n" % (stamp(c["start"], "."), stamp(c["end"], "."),
                                               c["speaker"], c["text"]))
        paths["vtt"] = f.name
    with open(os.path.join(work, "episode.transcript.json"), "w") as f:
        json.dump({"version": "1.0.0", "segments": [
            {"speaker": c["speaker"], "startTime": round(c["start"], 3), "endTime": round(c["end"], 3),
             "body": c["text"]} for c in cues]}, f)
        paths["json"] = f.name
    return paths


def write_bad_transcripts(work):
    """Files that are no transcript, as {kind: path}: an empty one, show
    notes in prose, and an SRT with a byte that is not UTF-8."""
    paths = {kind: os.path.join(work, kind + ".srt") for kind in ("empty", "notes", "broken")}
    open(paths["empty"], "w").close()
    with open(paths["notes"], "w") as f:
        f.write("Show notes: gas stoves, electric cars.\n")
    with open(paths["broken"], "wb") as f:
        f.write(b"1\n00:00:01,000 --> 00:00:02,000\nbad \xff byte\n")
    return paths


def build(work):
    """Writes the served MP3 and the transcripts; returns (paths, cues, truth, ads)."""
    rng = random.Random(15)
    # The published episode: utterances and the pauses between them.
    parts, cues = [os.path.join(work, "lead.wav")], []
    silence(parts[0], 0.5)
    t = seconds(parts[0])
    break_after = None
    for i, (who, text) in enumerate(LINES):
        path = os.path.join(work, "line%02d.wav" % i)
        voice, speed, pitch, peak = VOICES[who]
        length = say(path, voice, speed, pitch, peak, text)
        cues += cues_of(who, text, t, t + length)
        parts.append(path)
        t += length
        gap = 0.45 + 0.55 * rng.random()
        # The mid-roll goes into the middle of the pause after this line.
        halves = [gap / 2, gap / 2] if text.startswith("We will be right back") else [gap]
        for h, length in enumerate(halves):
            gap_path = os.path.join(work, "gap%02d_%d.wav" % (i, h))
            silence(gap_path, length)
            parts.append(gap_path)
            t += seconds(gap_path)
            if h == 0 and len(halves) == 2:
                break_after = len(parts)
    # The ads: a music bed for the pre-roll, a read ad and a tone bed for the mid-roll.
    pre = os.path.join(work, "preroll.wav")
    run("sox", "-n", "-r", str(SR), "-c", "1", "-b", "16", pre, "synth", "12", "sine", "220", "sine", "277",
        "sine", "330", "remix", "-", "fade", "0.2", "12", "0.2", "gain", "-n", "-12")
    ad_parts = []
    for k, text in enumerate(AD_LINES):
        p = os.path.join(work, "ad%d.wav" % k)
        say(p, "en-us+f3", 175, 60, -8.0, text)
        g = os.path.join(work, "adgap%d.wav" % k)
        silence(g, 0.5)
        ad_parts += [p, g]
    read = os.path.join(work, "adread.wav")
    concat(read, ad_parts)
    bed = os.path.join(work, "adbed.wav")
    run("sox", "-n", "-r", str(SR), "-c", "1", "-b", "16", bed, "synth", "%.4f" % (20.0 - seconds(read)),
        "sine", "440", "sine", "554", "remix", "-", "fade", "0.1", "0", "0.1", "gain", "-n", "-14")
    mid = os.path.join(work, "midroll.wav")
    concat(mid, [read, bed])
    pre_s, mid_s = seconds(pre), seconds(mid)

    served_parts = [pre] + parts[:break_after] + [mid] + parts[break_after:]
    dry = os.path.join(work, "served_dry.wav")
    concat(dry, served_parts)
    split_at = sum(seconds(p) for p in parts[:break_after])  # published time of the splice
    noise = os.path.join(work, "noise.wav")
    run("sox", "-n", "-r", str(SR), "-c", "1", "-b", "16", noise, "synth", "%.4f" % seconds(dry),
        "pinknoise", "vol", "0.0008")
    served = os.path.join(work, "served.wav")
    run("sox", "-m", dry, noise, served)
    mp3 = os.path.join(work, "served.mp3")
    run("lame", "--quiet", "-b", "128", served, mp3)

    def truth(source_s):
        return source_s + pre_s + (mid_s if source_s >= split_at - 0.01 else 0.0)
    paths = write_transcripts(work, cues)
    ads = [(0.0, pre_s), (pre_s + split_at, pre_s + split_at + mid_s)]
    return mp3, paths, cues, truth, ads, (pre_s, mid_s)


class TranscriptCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ARGS.workdir, exist_ok=True)
        cls.mp3, cls.paths, cls.cues, truth, cls.ads, cls.ad_lengths = build(ARGS.workdir)
        cls.truth = staticmethod(truth)

    def analyze(self, *extra):
        return subprocess.run([ARGS.namix, "analyze", self.mp3, *extra], capture_output=True, text=True)

    def check_alignment(self, fmt):
        out = self.analyze("--transcript", self.paths[fmt], "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        report = json.loads(out.stdout)["transcript"]
        self.assertEqual(report["format"], fmt)
        self.assertEqual(report["cues"], len(self.cues))
        errors = []
        for cue in report["placed"]:
            truth = self.truth(self.cues[cue["source_index"]]["start"])
            errors.append(abs(cue["start_s"] - truth))
            self.assertLessEqual(abs(cue["start_s"] - truth), 0.2, (fmt, cue, truth))
        errors.sort()
        print("%s: %d cues, %d placed (median onset error %.3f s, max %.3f s), %d unplaced; offsets %s"
              % (fmt, len(self.cues), len(report["placed"]), errors[len(errors) // 2], errors[-1],
                 report["unplaced_count"], [p["offset_s"] for p in report["alignment"]]), file=sys.stderr)
        self.assertLessEqual(report["unplaced_count"], 1)
        pre_s, mid_s = self.ad_lengths
        offsets = [p["offset_s"] for p in report["alignment"]]
        self.assertEqual(len(offsets), 2, report["alignment"])
        self.assertAlmostEqual(offsets[0], pre_s, delta=0.1)
        self.assertAlmostEqual(offsets[1], pre_s + mid_s, delta=0.1)
        return json.loads(out.stdout)

    def test_srt_aligns_within_200_ms(self):
        self.check_alignment("srt")

    def test_vtt_aligns_within_200_ms(self):
        doc = self.check_alignment("vtt")
        speakers = {c["speaker"] for c in doc["transcript"]["placed"]}
        self.assertEqual(speakers, {"Alex", "Blake"})
        # Blocks carry the words spoken in them; nothing lands in the ads.
        text = " ".join(b.get("text", "") for b in doc["blocks"])
        self.assertIn("Sir John Miller", text)
        for cue in doc["transcript"]["placed"]:
            for a, b in self.ads:
                self.assertFalse(a + 0.2 < cue["start_s"] < b - 0.2, cue)

    def test_json_aligns_within_200_ms(self):
        self.check_alignment("json")

    def test_table_shows_text_and_alignment(self):
        out = self.analyze("--transcript", self.paths["srt"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("transcript: %d cues (srt)" % len(self.cues), out.stdout)
        self.assertIn("Good morning everybody", out.stdout)
        self.assertIn("onsets matched", out.stdout)

    def test_bad_transcripts(self):
        bad = write_bad_transcripts(ARGS.workdir)
        for path, code, words in [(bad["empty"], 4, "is empty"),
                                  (bad["notes"], 4, "is not a transcript"),
                                  (bad["broken"], 4, "not valid UTF-8"),
                                  (os.path.join(ARGS.workdir, "missing.srt"), 3, "does not exist")]:
            out = self.analyze("--transcript", path)
            self.assertEqual(out.returncode, code, out.stderr)
            lines = out.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, out.stderr)
            self.assertIn(words, lines[0])


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--namix", required=True)
    ap.add_argument("--workdir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
