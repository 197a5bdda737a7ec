#!/usr/bin/env python3
"""Whole-episode remaster end to end, judged by tools namix does not use.

`namix mix EP --duration full` renders the episode once, spilling the
processed mix to a temporary file between measuring and encoding. Checks:
the decoded MP3 meets -16 +-0.5 LUFS and <= -1.0 dBTP (ffmpeg's ebur128
filter, via scripts/measure_loudness.sh) and lasts as long as the plan;
nothing is left in TMPDIR; an unusable TMPDIR is a one-line error with the
I/O exit code; peak RSS does not grow with the episode's length.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import unittest

ARGS = None


def run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def duration_s(path):
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
               "default=nw=1:nk=1", path]).stdout
    return float(out.strip())


def loudness(path):
    out = run([ARGS.measure, path]).stdout
    vals = dict(kv.split("=") for kv in out.split())
    return float(vals["integrated_lufs"]), float(vals["true_peak_dbtp"])


def remaster(episode, out, tmpdir):
    """Runs namix in a child and returns (result, its peak RSS in MB)."""
    env = dict(os.environ, TMPDIR=tmpdir, NAMIX_THEMES_DIR=ARGS.themes_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = run([ARGS.namix, "mix", episode, "--duration", "full", "--out", out, "--json",
             out + ".json", "--quiet"], env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: a child
    # that used less than an earlier one reads as the earlier one. The
    # longer episode runs last, so growth is still seen.
    return r, max(before, after) / 1024.0


class FullRemaster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(ARGS.workdir, ignore_errors=True)
        os.makedirs(ARGS.workdir)
        cls.tmpdir = os.path.join(ARGS.workdir, "tmp")
        os.makedirs(cls.tmpdir)
        cls.short_ep = os.path.join(ARGS.workdir, "episode-1.mp3")
        cls.long_ep = os.path.join(ARGS.workdir, "episode-2.mp3")
        # ROUNDS=2 is about 1.7 minutes, 8 about 7 minutes.
        subprocess.run([ARGS.make_episode, cls.short_ep, "2"], check=True, capture_output=True)
        subprocess.run([ARGS.make_episode, cls.long_ep, "8"], check=True, capture_output=True)
        cls.short_out = os.path.join(ARGS.workdir, "short.mp3")
        cls.long_out = os.path.join(ARGS.workdir, "long.mp3")
        cls.short_run, cls.short_rss = remaster(cls.short_ep, cls.short_out, cls.tmpdir)
        cls.long_run, cls.long_rss = remaster(cls.long_ep, cls.long_out, cls.tmpdir)

    def test_runs(self):
        self.assertEqual(self.short_run.returncode, 0, self.short_run.stderr)
        self.assertEqual(self.long_run.returncode, 0, self.long_run.stderr)

    def test_loudness_and_true_peak_of_decoded_mp3(self):
        for out in (self.short_out, self.long_out):
            lufs, tp = loudness(out)
            self.assertAlmostEqual(lufs, -16.0, delta=0.5, msg=out)
            self.assertLessEqual(tp, -1.0, out)

    def test_lasts_as_long_as_the_plan(self):
        # Every rendered frame is read back and encoded: the MP3 lasts what
        # the result says (MP3 framing: within 0.1 s), and the plan keeps
        # nearly all of the episode (the full remaster drops dead air only).
        for ep, out in ((self.short_ep, self.short_out), (self.long_ep, self.long_out)):
            with open(out + ".json") as f:
                planned = json.load(f)["mix_metadata"]["duration_actual"]
            self.assertAlmostEqual(duration_s(out), planned, delta=0.1, msg=out)
            self.assertGreater(planned, 0.9 * duration_s(ep), out)

    def test_spill_file_is_gone(self):
        self.assertEqual(os.listdir(self.tmpdir), [])

    def test_memory_does_not_grow_with_length(self):
        # A 4x longer episode; the spill goes to disk, so RSS stays within
        # 30 MB (decoder and analysis buffers vary a little with length).
        self.assertLess(self.long_rss, self.short_rss + 30.0,
                        f"{self.short_rss:.0f} MB -> {self.long_rss:.0f} MB")

    def test_unusable_tmpdir_is_an_io_error(self):
        out = os.path.join(ARGS.workdir, "never.mp3")
        r, _ = remaster(self.short_ep, out, os.path.join(ARGS.workdir, "no-such-dir"))
        self.assertEqual(r.returncode, 5, r.stderr)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("TMPDIR", lines[0])
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--namix", required=True)
    p.add_argument("--make-episode", required=True)
    p.add_argument("--themes-dir", required=True)
    p.add_argument("--workdir", required=True)
    ARGS, rest = p.parse_known_args()
    ARGS.measure = os.path.join(os.path.dirname(ARGS.make_episode), "measure_loudness.sh")
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
