#!/usr/bin/env python3
"""Integration test of `namix analyze` on a fixture episode made here.

The episode is real synthetic speech (espeak-ng): host A and host B 7 dB
apart in banter, a telephone-band clip in a third voice, a rant by A (+5 dB,
faster, short pauses), a donation read-out by B (flat, evenly paced), a
sting and end music (sustained chords), over pink noise at -62 dBFS and
60 Hz hum, encoded to MP3 with lame. The test knows every utterance's exact
bounds and scores the analysis with bench/eval_analysis.py.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import unittest

import numpy as np

ARGS = None
SR = 44100


def espeak(voice, speed, pitch, text):
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                         check=True, capture_output=True).stdout
    # espeak-ng writes a 44-byte WAV header, then 16-bit mono PCM at 22050 Hz.
    x = np.frombuffer(wav[44:], dtype="<i2").astype(np.float64) / 32768.0
    x = np.interp(np.arange(0, len(x), 0.5), np.arange(len(x)), x)  # to 44.1 kHz
    idx = np.flatnonzero(np.abs(x) > 1e-3 * np.max(np.abs(x)))
    return x[idx[0]: idx[-1] + 1]


def band_pass(x, lo, hi):
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1.0 / SR)
    spec[(f < lo) | (f > hi)] = 0.0
    return np.fft.irfft(spec, len(x))


def chords(seconds):
    t = np.arange(int(seconds * SR)) / SR
    x = np.zeros_like(t)
    for i, root in enumerate([220.0, 174.6, 196.0, 261.6] * int(seconds)):
        seg = (t >= 2.0 * i) & (t < 2.0 * i + 2.0)
        for ratio in (1.0, 1.26, 1.5, 2.0):
            for h in range(1, 5):
                x[seg] += np.sin(2 * np.pi * root * ratio * h * t[seg]) / h ** 2
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.05)
    return x * ramp


def at_rms(x, dbfs):
    return x * (10 ** (dbfs / 20.0) / np.sqrt(np.mean(x ** 2)))


class Episode:
    def __init__(self):
        self.parts, self.t = [], 0.0
        self.utterances, self.blocks = [], []
        self.rng = np.random.default_rng(5)

    def gap(self, s):
        self.parts.append(np.zeros(int(round(s * SR))))
        self.t += len(self.parts[-1]) / SR

    def place(self, x, kind, speaker):
        self.parts.append(x)
        start = self.t
        self.t += len(x) / SR
        self.utterances.append({"start": start, "end": self.t, "kind": kind, "speaker": speaker})

    def block(self, kind, speaker, body):
        start = self.t
        body()
        self.blocks.append({"start": start, "end": self.t, "kind": kind, "speaker": speaker})

    def render(self):
        x = np.concatenate(self.parts)
        n = len(x)
        white = self.rng.standard_normal(n)
        pink = np.fft.irfft(np.fft.rfft(white) / np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0)), n)
        t = np.arange(n) / SR
        hum = 10 ** (-52 / 20) * (np.sin(2 * np.pi * 60 * t) + 0.35 * np.sin(2 * np.pi * 180 * t)) / 1.06
        return x + at_rms(pink, -62) + hum


LINES = ["The central bank announced a new plan for digital identity, and nobody asked a question.",
         "Well, I am not so sure about that.", "Here is the thing though.",
         "The committee quietly approved the housing report on a Friday night.",
         "Follow the money, as always.", "The experts walked back the inflation numbers again.",
         "That is exactly right.", "The governor leaked the official talking points to the press.",
         "Come on, you cannot be serious.", "Big tech rebranded the carbon credit scheme last week."]


def build(path_mp3):
    ep = Episode()
    a = lambda text, **kw: ep.place(at_rms(espeak("en-us+m3", kw.get("speed", 165), kw.get("pitch", 40), text),
                                           kw.get("level", -20)), kw.get("kind", "banter"), "A")
    b = lambda text, **kw: ep.place(at_rms(espeak("en-gb+m1", kw.get("speed", 150), kw.get("pitch", 28), text),
                                           kw.get("level", -27)), kw.get("kind", "banter"), "B")

    def banter(n, offset):
        for i in range(n):
            (a if i % 2 == 0 else b)(LINES[(i + offset) % len(LINES)])
            ep.gap(0.45 + 0.5 * ep.rng.random())

    ep.gap(0.5)
    ep.block("jingle", "music", lambda: ep.place(at_rms(chords(5.0), -16), "jingle", "music"))
    ep.gap(0.7)
    ep.block("banter", "AB", lambda: banter(10, 0))

    def clip():
        for text in ["This is a statement from the ministry of information.",
                     "We remain committed to transparency at all times.",
                     "An update will be provided at the appropriate time."]:
            x = band_pass(espeak("en-us+f3", 160, 50, text), 300, 3400)
            ep.place(at_rms(x, -18), "clip", "clip")
            ep.gap(0.4)
    ep.block("clip", "clip", clip)
    ep.gap(0.4)
    ep.block("banter", "AB", lambda: banter(4, 3))

    def rant():
        for i in range(9):
            a(LINES[(2 * i + 1) % len(LINES)].rstrip(".") + "!", speed=200, pitch=int(40 + 25 * np.sin(i)),
              level=-15, kind="rant")
            ep.gap(0.15 + 0.1 * ep.rng.random())
    ep.block("rant", "A", rant)
    ep.gap(0.6)
    ep.block("banter", "AB", lambda: banter(4, 6))

    def donations():
        names = ["Sir John Miller in Austin", "Dame Mary Garcia in Denver", "Baron Robert Walker in Tampa",
                 "Lady Linda Young in Dublin", "Duke Michael King in Omaha", "Lord David Wright in Boise",
                 "Baroness Susan Hill in Phoenix", "Viscount James Baker in Toronto"]
        for who in names:
            b(f"Thank you to {who}, who sent in fifty dollars.", kind="donation")
            ep.gap(0.6 + 0.1 * ep.rng.random())
    ep.block("donation", "B", donations)
    ep.gap(0.3)
    ep.block("banter", "AB", lambda: banter(3, 2))
    ep.block("music", "music", lambda: ep.place(at_rms(chords(24.0), -16), "music", "music"))
    ep.gap(1.0)
    x = ep.render()
    pcm = (np.clip(np.repeat(x[:, None], 2, axis=1), -1, 1) * 32767).astype("<i2").tobytes()
    subprocess.run(["lame", "--quiet", "-r", "-s", "44.1", "--bitwidth", "16", "--signed", "--little-endian",
                    "-m", "j", "-b", "128", "-", path_mp3], input=pcm, check=True)
    return {"duration": len(x) / SR, "utterances": ep.utterances, "blocks": ep.blocks}


class AnalyzeCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ARGS.workdir, exist_ok=True)
        cls.mp3 = os.path.join(ARGS.workdir, "fixture.mp3")
        cls.manifest = build(cls.mp3)
        spec = importlib.util.spec_from_file_location("eval_analysis", ARGS.eval)
        cls.ev = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.ev)
        out = subprocess.run([ARGS.namix, "analyze", cls.mp3, "--json"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        cls.analysis = json.loads(out.stdout)

    def test_pauses_lie_between_words(self):
        scores = self.ev.pause_scores(self.analysis, self.manifest)
        self.assertGreaterEqual(scores["pause_precision"], 0.95, scores)
        self.assertGreaterEqual(scores["gap_recall"], 0.8, scores)
        self.assertLessEqual(scores["boundary_err_ms_median"], 30.0, scores)

    def test_speakers(self):
        scores = self.ev.speaker_accuracy(self.analysis, self.manifest)
        self.assertGreaterEqual(scores["speaker_accuracy"], 0.9, scores)

    def test_block_kinds(self):
        table = self.ev.block_confusion(self.analysis, self.manifest)
        for kind, need in [("banter", 0.8), ("clip", 0.8), ("rant", 0.7), ("donation", 0.7),
                           ("jingle", 0.8), ("music", 0.8)]:
            self.assertGreaterEqual(table[kind].get(kind, 0.0), need, (kind, table[kind]))

    def test_table_output(self):
        out = subprocess.run([ARGS.namix, "analyze", self.mp3], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        for word in ("host A", "host B", "rant", "donation", "clip", "music"):
            self.assertIn(word, out.stdout)

    def test_bad_inputs(self):
        missing = subprocess.run([ARGS.namix, "analyze", os.path.join(ARGS.workdir, "nope.mp3")],
                                 capture_output=True, text=True)
        self.assertEqual(missing.returncode, 3)
        self.assertEqual(len(missing.stderr.strip().splitlines()), 1)
        junk = os.path.join(ARGS.workdir, "junk.mp3")
        with open(junk, "w") as f:
            f.write("this is not audio\n")
        not_audio = subprocess.run([ARGS.namix, "analyze", junk], capture_output=True, text=True)
        self.assertEqual(not_audio.returncode, 4)
        self.assertEqual(len(not_audio.stderr.strip().splitlines()), 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--namix", required=True)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--workdir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
