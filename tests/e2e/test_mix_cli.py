#!/usr/bin/env python3
"""End-to-end test of `namix mix` on a fixture episode made by the test.

Checks the decoded output with tools namix does not use (ffmpeg's EBU R128
filter, ffprobe, numpy): duration, loudness, true peak, 320 kbps CBR 44.1 kHz
stereo, one chapter per segment, and that the audio at each segment's
mix_start is the source audio at its start_time. Then every kind of bad
input: one line on stderr, the documented exit code, no file left behind.
"""
import argparse
import http.server
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import numpy as np

ARGS = None
SR = 44100


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def decode(path, start=None, length=None, rate=SR):
    """Decodes to mono float at `rate` with ffmpeg (independent of namix's decoder)."""
    cmd = ["ffmpeg", "-v", "error"]
    if start is not None:
        cmd += ["-ss", f"{start:.4f}"]
    if length is not None:
        cmd += ["-t", f"{length:.4f}"]
    cmd += ["-i", path, "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.float32)


def loudness(path):
    out = run([ARGS.measure, path]).stdout
    vals = dict(kv.split("=") for kv in out.split())
    return float(vals["integrated_lufs"]), float(vals["true_peak_dbtp"])


def envelope(x, hop=441):
    n = len(x) // hop
    return np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)


def envelope_match(a, b):
    """Correlation of 10 ms RMS envelopes: robust to EQ, compression and gain,
    and sharp in time (a 20 ms misalignment already drops it well below 1)."""
    ea, eb = envelope(a), envelope(b)
    n = min(len(ea), len(eb))
    ea, eb = ea[:n] - ea[:n].mean(), eb[:n] - eb[:n].mean()
    return float(np.dot(ea, eb) / (np.linalg.norm(ea) * np.linalg.norm(eb) + 1e-12))


class Fixture:
    """The episode and its mix, made once for the whole module."""
    episode = mix = json_path = result = None
    target = 45.0


def setUpModule():
    shutil.rmtree(ARGS.workdir, ignore_errors=True)
    os.makedirs(ARGS.workdir)
    Fixture.episode = os.path.join(ARGS.workdir, "episode-7.mp3")
    subprocess.run([ARGS.make_episode, Fixture.episode, "2"], check=True, capture_output=True)
    Fixture.mix = os.path.join(ARGS.workdir, "mix.mp3")
    Fixture.json_path = os.path.join(ARGS.workdir, "mix.json")
    r = run([ARGS.namix, "mix", Fixture.episode, "--theme", "best of", "--duration",
             str(Fixture.target), "--out", Fixture.mix, "--json", Fixture.json_path, "--quiet"])
    assert r.returncode == 0, f"namix mix failed ({r.returncode}): {r.stderr}"
    with open(Fixture.json_path) as f:
        Fixture.result = json.load(f)


class MixEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.episode, cls.mix, cls.result, cls.target = (Fixture.episode, Fixture.mix,
                                                        Fixture.result, Fixture.target)

    def test_result_json_shape(self):
        r = self.result
        self.assertEqual(r["status"], "success")
        for key in ["theme", "duration_target", "duration_actual", "segments_count", "file_size_bytes",
                    "bitrate_kbps", "mp3_quality", "sample_rate", "integrated_lufs",
                    "true_peak_dbtp", "created_at"]:
            self.assertIn(key, r["mix_metadata"])
        self.assertEqual(r["mix_metadata"]["theme"], "Best Of")
        self.assertEqual(r["mix_metadata"]["mp3_quality"], 3, "LAME's default -q")
        self.assertEqual(r["mix_metadata"]["file_size_bytes"], os.path.getsize(self.mix))
        self.assertGreaterEqual(len(r["segments"]), 2)
        for key in ["fetch", "decode", "analysis", "render", "encode", "store", "total"]:
            self.assertIn(key, r["timings_ms"])

    def test_duration_within_tolerance(self):
        dur = float(run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                         "csv=p=0", self.mix]).stdout)
        self.assertLessEqual(abs(dur - self.target), max(1.5, 0.02 * self.target))
        self.assertAlmostEqual(dur, self.result["mix_metadata"]["duration_actual"], delta=0.1)

    def test_loudness_and_true_peak_of_decoded_mp3(self):
        lufs, tp = loudness(self.mix)
        self.assertAlmostEqual(lufs, -16.0, delta=0.5)
        self.assertLessEqual(tp, -1.0)

    def test_format_is_320k_cbr_44100_stereo(self):
        info = json.loads(run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                               "-show_format", self.mix]).stdout)
        stream = info["streams"][0]
        self.assertEqual(stream["codec_name"], "mp3")
        self.assertEqual(int(stream["sample_rate"]), 44100)
        self.assertEqual(int(stream["channels"]), 2)
        self.assertEqual(int(stream["bit_rate"]), 320000)
        # CBR: every frame header says 320 kbps (MPEG-1 Layer III bitrate index 14).
        data = open(self.mix, "rb").read()
        headers = [m.start() for m in re.finditer(rb"\xff[\xfa\xfb]", data)]
        rates = {(data[i + 2] >> 4) for i in headers[:200] if i + 2 < len(data)}
        self.assertIn(14, rates)
        # LAME/Xing info tag present for exact duration and gapless playback.
        self.assertTrue(b"Info" in data[:20000] or b"Xing" in data[:20000])

    def test_one_chapter_per_segment(self):
        chapters = json.loads(run(["ffprobe", "-v", "error", "-print_format", "json", "-show_chapters",
                                   self.mix]).stdout)["chapters"]
        self.assertEqual(len(chapters), len(self.result["segments"]))
        for ch, seg in zip(chapters, self.result["segments"]):
            self.assertAlmostEqual(float(ch["start_time"]), seg["mix_start"], delta=0.01)

    def test_audio_at_mix_start_is_source_at_start_time(self):
        # Compare up to 3 s after each join (skipping the crossfade): the mix
        # must match the source at start_time better than 20 ms either side.
        checked, shifted = 0, []
        for seg in self.result["segments"]:
            length = min(3.0, seg["duration"] - 0.5)
            if length < 1.5:
                continue
            mix = decode(self.mix, seg["mix_start"] + 0.3, length)
            at = {lag: envelope_match(decode(self.episode, seg["start_time"] + 0.3 + lag, length), mix)
                  for lag in (-0.02, 0.0, 0.02)}
            self.assertGreater(at[0.0], 0.85, f"segment at {seg['start_time']}: {at}")
            self.assertGreater(at[0.0], max(at[-0.02], at[0.02]), f"misaligned: {at}")
            shifted.append(envelope_match(decode(self.episode, seg["start_time"] + 2.0, length), mix))
            checked += 1
        self.assertGreaterEqual(checked, 2)
        # The same measure on audio from elsewhere is far lower: the check can fail.
        self.assertLess(np.median(shifted), 0.5)

    def test_plot_draws_the_chosen_segments(self):
        svg = os.path.join(ARGS.workdir, "episode.svg")
        r = run([ARGS.namix, "analyze", self.episode, "--plot", svg, "--theme", "Best Of",
                 "--duration", str(self.target)])
        self.assertEqual(r.returncode, 0, r.stderr)
        root = ET.parse(svg).getroot()
        rects = [e for e in root.iter() if e.tag.endswith("rect")]
        segments = [e for e in rects if e.get("class") == "segment"]
        blocks = [e for e in rects if (e.get("class") or "").startswith("block ")]
        self.assertEqual(len(segments), len(self.result["segments"]))
        self.assertGreater(len(blocks), 3)

    def test_no_dead_air_over_one_second(self):
        x = decode(self.mix)
        env = 20 * np.log10(envelope(x) + 1e-9)
        quiet = env < (np.percentile(env, 95) - 40)
        longest, run_len = 0, 0
        for q in quiet:
            run_len = run_len + 1 if q else 0
            longest = max(longest, run_len)
        self.assertLessEqual(longest * 0.01, 1.2)


class BadInput(unittest.TestCase):
    def check(self, args, expected_rc, needle):
        out = os.path.join(ARGS.workdir, "bad-out.mp3")
        if os.path.exists(out):
            os.remove(out)
        r = run([ARGS.namix, "mix", *args, "--out", out, "--quiet"], timeout=300)
        self.assertEqual(r.returncode, expected_rc, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn(needle, lines[0].lower())
        leftovers = [f for f in os.listdir(ARGS.workdir) if f.startswith("bad-out")]
        self.assertEqual(leftovers, [])

    def fixture(self, name, data):
        path = os.path.join(ARGS.workdir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_missing_file(self):
        self.check([os.path.join(ARGS.workdir, "nope.mp3")], 3, "does not exist")

    def test_not_audio(self):
        self.check([self.fixture("notes.mp3", b"just some text, not audio\n" * 100)], 4, "not audio")

    def test_zero_length(self):
        self.check([self.fixture("empty.mp3", b"")], 4, "empty")

    def test_truncated(self):
        data = open(Fixture.episode, "rb").read()
        self.check([self.fixture("cut.mp3", data[: len(data) * 2 // 5])], 4, "truncated")

    def test_duration_zero_or_negative(self):
        self.check([Fixture.episode, "--duration", "0"], 2, "duration")
        self.check([Fixture.episode, "--duration", "-5"], 2, "duration")

    def test_duration_longer_than_episode(self):
        self.check([Fixture.episode, "--duration", "99999"], 2, "longer than the episode")

    def test_unknown_theme(self):
        self.check([Fixture.episode, "--theme", "Polka Party"], 2, "best of")

    def test_mp3_quality_outside_lames_range(self):
        for value in ("10", "-1", "3.5"):
            self.check([Fixture.episode, "--mp3-quality", value], 2, "0 (best, slowest) to 9")

    def test_target_lufs_outside_the_services_range(self):
        # These aborted inside LAME (exit 134) and left a .part file.
        for value in ("20", "40", "-100", "nan", "inf", "-inf", "-4.9", "-40.1"):
            self.check([Fixture.episode, "--target-lufs=" + value], 2,
                       "--target-lufs must be a number of lufs from -40 to -5")

    def test_out_is_a_directory(self):
        directory = os.path.join(ARGS.workdir, "directory-as-out")
        os.makedirs(directory, exist_ok=True)
        r = run([ARGS.namix, "mix", Fixture.episode, "--out", directory, "--quiet"], timeout=300)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("is a directory", r.stderr)
        leftovers = [f for f in os.listdir(ARGS.workdir) if f.startswith("directory-as-out.")]
        self.assertEqual(leftovers, [])
        os.rmdir(directory)

    def test_json_into_a_missing_directory_writes_no_mp3(self):
        missing = os.path.join(ARGS.workdir, "no-such-dir", "result.json")
        self.check([Fixture.episode, "--duration", "20", "--json", missing], 5, "result.json")

    def test_fifo_as_input_is_refused_at_once(self):
        fifo = os.path.join(ARGS.workdir, "episode-fifo.mp3")
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
        self.check([fifo], 3, "is a fifo (named pipe), which cannot be seeked")


class Outputs(unittest.TestCase):
    """--out into a FIFO, a device and standard output; interrupted runs."""

    def mix(self, out, *extra, **kw):
        return subprocess.run([ARGS.namix, "mix", Fixture.episode, "--duration", "20", "--out", out,
                               *extra], capture_output=True, **kw)

    def test_fifo_is_written_into_and_stays_a_fifo(self):
        fifo = os.path.join(ARGS.workdir, "out.fifo")
        if os.path.exists(fifo):
            os.remove(fifo)
        os.mkfifo(fifo)
        got = {}

        def read_fifo():
            with open(fifo, "rb") as f:
                got["bytes"] = f.read()

        reader = threading.Thread(target=read_fifo, daemon=True)
        reader.start()
        json_path = os.path.join(ARGS.workdir, "fifo.json")
        r = self.mix(fifo, "--json", json_path, "--quiet", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a file")
        reader.join(timeout=30)
        self.assertFalse(reader.is_alive(), "nothing was written into the FIFO")
        with open(json_path) as f:
            result = json.load(f)
        self.assertEqual(len(got["bytes"]), result["mix_metadata"]["file_size_bytes"])
        self.assertEqual(got["bytes"][:3], b"ID3")
        self.assertEqual(result["download"]["url"], fifo)

    def test_character_device_stays_a_device(self):
        # The null device under a name of our own: no test may touch /dev/null.
        null = os.path.join(ARGS.workdir, "null-device")
        if not os.path.exists(null):
            try:
                os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            except PermissionError:
                self.skipTest("making a device node needs root")
        r = self.mix(null, "--quiet", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat(null).st_mode), "the device was replaced by a file")
        self.assertEqual([f for f in os.listdir(ARGS.workdir) if f.startswith("null-device.")], [])

    def test_dash_is_standard_output_and_the_summary_goes_to_stderr(self):
        json_path = os.path.join(ARGS.workdir, "stdout.json")
        r = self.mix("-", "--json", json_path, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(json_path) as f:
            result = json.load(f)
        self.assertEqual(len(r.stdout), result["mix_metadata"]["file_size_bytes"])
        self.assertEqual(r.stdout[:3], b"ID3")
        self.assertIn(b"segments", r.stderr, "the summary line")
        mp3 = os.path.join(ARGS.workdir, "from-stdout.mp3")
        with open(mp3, "wb") as f:
            f.write(r.stdout)
        dur = float(run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                         "csv=p=0", mp3]).stdout)
        self.assertAlmostEqual(dur, result["mix_metadata"]["duration_actual"], delta=0.1)

    def test_json_to_standard_output(self):
        out = os.path.join(ARGS.workdir, "json-stdout.mp3")
        r = self.mix(out, "--json", "-", "--quiet", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        result = json.loads(r.stdout)
        self.assertEqual(result["mix_metadata"]["file_size_bytes"], os.path.getsize(out))

    def test_interrupted_mix_leaves_no_partial_file(self):
        out = os.path.join(ARGS.workdir, "interrupted.mp3")
        for sig, code, name in ((signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")):
            p = subprocess.Popen([ARGS.namix, "mix", Fixture.episode, "--duration", "full", "--out", out,
                                  "--quiet"], stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 60
            while not [f for f in os.listdir(ARGS.workdir) if f.startswith("interrupted.mp3.part-")]:
                self.assertLess(time.time(), deadline, "no temporary output appeared")
                time.sleep(0.02)
            time.sleep(0.3)  # well into the work
            p.send_signal(sig)
            _, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, code, err)
            self.assertEqual([f for f in os.listdir(ARGS.workdir) if f.startswith("interrupted.mp3")], [])
            lines = [l for l in err.splitlines() if l.strip()]
            self.assertEqual(lines, ["namix: the mix was interrupted by %s; no partial output was left"
                                     % name])

    def test_interrupted_download_leaves_no_temporary_file(self):
        """`namix mix URL` stopped while the episode downloads: the file it
        was downloading into goes too."""
        with open(Fixture.episode, "rb") as f:
            episode = f.read()
        release = threading.Event()

        class Dripping(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(episode)))
                self.end_headers()
                try:
                    self.wfile.write(episode[:len(episode) // 4])
                    self.wfile.flush()
                    release.wait(60)  # the rest never comes before the signal
                except (BrokenPipeError, ConnectionResetError):
                    pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Dripping)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.addCleanup(release.set)
        tmp = os.path.join(ARGS.workdir, "download-tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        url = "http://127.0.0.1:%d/NA-1779.mp3" % server.server_address[1]
        out = os.path.join(ARGS.workdir, "from-url.mp3")
        p = subprocess.Popen([ARGS.namix, "mix", url, "--allow-private-urls", "--duration", "20",
                              "--out", out, "--quiet"], stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, TMPDIR=tmp))
        deadline = time.time() + 30
        while not [f for f in os.listdir(tmp) if os.path.getsize(os.path.join(tmp, f)) > 0]:
            self.assertLess(time.time(), deadline, "the download did not start")
            time.sleep(0.02)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(os.listdir(tmp), [])
        self.assertFalse([f for f in os.listdir(ARGS.workdir) if f.startswith("from-url.mp3")])


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--namix", required=True)
    p.add_argument("--make-episode", required=True)
    p.add_argument("--workdir", required=True)
    ARGS, rest = p.parse_known_args()
    ARGS.measure = os.path.join(os.path.dirname(ARGS.make_episode), "measure_loudness.sh")
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
