#!/usr/bin/env python3
"""Integration test of `namix mix EP --transcript T` and the mix's own
transcript and chapters, on the episode test_transcript_cli.py makes (two
espeak-ng hosts, a 12 s pre-roll and a 20 s mid-roll spliced into the audio
only, its true transcript in SubRip, WebVTT and Podcasting 2.0 JSON).

The mix's transcript is checked against the truth: each of its cues, taken
back through the result's segments (source start, mix start, dropped
pauses) to the served audio, lies where the fixture put those words.
"""
import argparse
import http.server
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_transcript_cli as fixture  # noqa: E402

ARGS = None
MIX_S = 40


def fresh_path(work, name):
    """`work`/`name` with nothing at it: what a run writes there is its own."""
    path = os.path.join(work, name)
    if os.path.exists(path):
        os.remove(path)
    return path


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_chapters(work, cues):
    """Published chapters at every sixth cue, on the published timeline (no ads)."""
    path = os.path.join(work, "episode.chapters.json")
    with open(path, "w") as f:
        json.dump({"version": "1.2.0", "chapters": [
            {"startTime": round(c["start"], 3), "title": "Published %d" % i}
            for i, c in enumerate(cues) if i % 6 == 0]}, f)
    return path


def parse_stamp(text):
    h, m, rest = text.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(rest)


def read_vtt(path):
    """[(start, end, speaker, text)] of a WebVTT file namix wrote."""
    cues, lines = [], read_text(path).split("\n")
    i = 0
    while i < len(lines):
        if "-->" in lines[i]:
            a, b = [x.strip().split(" ")[0] for x in lines[i].split("-->")]
            body = lines[i + 1]
            speaker = ""
            if body.startswith("<v "):
                speaker, body = body[3:].split(">", 1)
            cues.append((parse_stamp(a), parse_stamp(b), speaker, body))
            i += 2
        else:
            i += 1
    return cues


def source_time(segments, mix_s):
    """The served-audio time a mix time plays, through the result's segments."""
    for seg in segments:
        spans, start = [], seg["start_time"]
        for a, b in seg["dropped"]:
            spans.append((start, a))
            start = b
        spans.append((start, seg["end_time"]))
        at = seg["mix_start"]
        for a, b in spans:
            if at - 1e-6 <= mix_s <= at + (b - a) + 1e-6:
                return a + (mix_s - at)
            at += b - a
    return None


class Server:
    """A loopback HTTP server for the fixture's files."""

    def __init__(self, root):
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=root, **k)

            def log_message(self, *args):
                pass

        class Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.httpd = Threaded(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.httpd.server_address[1], name)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class MixTranscriptCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(ARGS.workdir, exist_ok=True)
        cls.mp3, cls.paths, cls.cues, truth, cls.ads, cls.ad_lengths = fixture.build(ARGS.workdir)
        cls.truth = staticmethod(truth)
        cls.chapters_path = write_chapters(ARGS.workdir, cls.cues)
        cls.server = Server(ARGS.workdir)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def out(self, name):
        return fresh_path(ARGS.workdir, name)

    def mix(self, *extra, theme="Best Of"):
        return subprocess.run([ARGS.namix, "mix", self.mp3, "--theme", theme, "--duration",
                               str(MIX_S), "--quiet", *extra], capture_output=True, text=True)

    def test_mix_transcript_and_chapters_match_the_truth(self):
        mp3, vtt, chapters, result = (self.out("mix.mp3"), self.out("mix.vtt"),
                                      self.out("mix.chapters.json"), self.out("mix.json"))
        run = self.mix("--transcript", self.paths["srt"], "--chapters", self.chapters_path,
                       "--out", mp3, "--transcript-out", vtt, "--chapters-out", chapters,
                       "--json", result)
        self.assertEqual(run.returncode, 0, run.stderr)
        doc = read_json(result)
        report = doc["transcript"]
        self.assertEqual(report["format"], "srt")
        self.assertEqual(report["cues"], len(self.cues))
        pre_s, mid_s = self.ad_lengths
        offsets = [p["offset_s"] for p in report["alignment"]]
        self.assertEqual(len(offsets), 2, report)
        self.assertAlmostEqual(offsets[0], pre_s, delta=0.1)
        self.assertAlmostEqual(offsets[1], pre_s + mid_s, delta=0.1)
        self.assertLessEqual(report["unplaced_cues"], 1)
        self.assertEqual(set(doc["downloads"]), {"transcript_vtt", "chapters"})
        self.assertEqual(doc["downloads"]["transcript_vtt"]["content_type"], "text/vtt")
        segments = doc["segments"]
        self.assertTrue(any(s["text"] for s in segments), segments)

        # Every cue of the mix's transcript is where the fixture put its words.
        mix_cues = read_vtt(vtt)
        self.assertGreater(len(mix_cues), 3)
        duration = doc["mix_metadata"]["duration_actual"]
        placed = 0
        for start, end, speaker, text in mix_cues:
            self.assertLessEqual(0.0, start)
            self.assertLess(start, end)
            self.assertLessEqual(end, duration + 0.05)
            audio = source_time(segments, 0.5 * (start + end))
            self.assertIsNotNone(audio, (start, end, text))
            owners = [c for c in self.cues
                      if self.truth(c["start"]) - 0.3 <= audio <= self.truth(c["end"]) + 0.3
                      and text in c["text"]]
            self.assertTrue(owners, (start, end, text, audio))
            self.assertIn(speaker, {o["speaker"] for o in owners})
            # A cue that starts with its published cue starts where those words play.
            whole = [o for o in owners if o["text"].startswith(text)]
            begin = source_time(segments, start)
            if whole and begin is not None and begin > self.truth(whole[0]["start"]) - 0.3:
                self.assertAlmostEqual(begin, self.truth(whole[0]["start"]), delta=0.25)
                placed += 1
        self.assertGreater(placed, 0)
        # Every segment's text is in the mix's transcript.
        words = " ".join(c[3] for c in mix_cues)
        for s in segments:
            if s["text"]:
                self.assertIn(s["text"].split()[0], words)

        # Chapters: at least one per segment, ascending, titled as the ID3 CHAP frames.
        doc_chapters = read_json(chapters)
        self.assertEqual(doc_chapters["version"], "1.2.0")
        marks = doc_chapters["chapters"]
        self.assertGreaterEqual(len(marks), len(segments))
        starts = [m["startTime"] for m in marks]
        self.assertEqual(starts, sorted(starts))
        for s in segments:
            title = s["name"].split("(", 1)[1].rstrip(")")
            self.assertIn({"startTime": round(s["mix_start"], 3), "title": title},
                          [{"startTime": m["startTime"], "title": m["title"]} for m in marks])
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", mp3],
                               check=True, capture_output=True, text=True)
        id3_titles = [c["tags"]["title"] for c in json.loads(probe.stdout)["chapters"]]
        self.assertEqual(id3_titles, [m["title"] for m in marks])
        for m in marks:
            if m["title"].startswith("Published"):
                index = int(m["title"].split()[1])
                audio = source_time(segments, m["startTime"])
                self.assertAlmostEqual(audio, self.truth(self.cues[index]["start"]), delta=0.25)

    def test_transcript_out_formats(self):
        for ext, check in [("srt", lambda t: "-->" in t and "," in t.split("-->")[0]),
                           ("json", lambda t: json.loads(t)["segments"])]:
            path = self.out("mix." + ext)
            run = self.mix("--transcript", self.paths["json"], "--out", self.out("formats.mp3"),
                           "--transcript-out", path)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertTrue(check(read_text(path)), ext)

    def test_transcript_and_chapters_from_urls(self):
        run = self.mix("--transcript", self.server.url("episode.vtt"), "--chapters",
                       self.server.url("episode.chapters.json"), "--allow-private-urls",
                       "--out", self.out("url.mp3"), "--json", self.out("url.json"))
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(read_json(self.out_path("url.json"))["transcript"]["format"], "vtt")
        # Loopback addresses are refused without --allow-private-urls.
        refused = self.mix("--transcript", self.server.url("episode.vtt"),
                           "--out", self.out("refused.mp3"))
        self.assertEqual(refused.returncode, 6, refused.stderr)
        self.assertEqual(len(refused.stderr.strip().splitlines()), 1, refused.stderr)
        self.assertFalse(os.path.exists(self.out_path("refused.mp3")))

    def out_path(self, name):
        return os.path.join(ARGS.workdir, name)

    def test_bad_input_is_refused_before_decoding(self):
        # Not audio at all: a refusal that came after decoding would say so.
        junk = os.path.join(ARGS.workdir, "junk.mp3")
        with open(junk, "wb") as f:
            f.write(b"\x00" * 4096)
        bad = fixture.write_bad_transcripts(ARGS.workdir)
        empty, notes, broken = bad["empty"], bad["notes"], bad["broken"]
        huge = os.path.join(ARGS.workdir, "huge.srt")
        with open(huge, "wb") as f:
            f.truncate(21 * 1024 * 1024)
        cases = [(["--transcript", empty], 4, "is empty"),
                 (["--transcript", notes], 4, "is not a transcript"),
                 (["--transcript", broken], 4, "not valid UTF-8"),
                 (["--transcript", huge], 4, "over 20 MB"),
                 (["--transcript", self.paths["srt"], "--chapters", notes], 4, "notes.srt"),
                 (["--about", "gas stoves"], 2, "--about needs a transcript"),
                 (["--transcript", self.paths["srt"], "--transcript-out",
                   self.out_path("mix.txt")], 2, "--transcript-out"),
                 (["--transcript-out", self.out_path("mix2.vtt")], 2, "needs a transcript")]
        for extra, code, words in cases:
            out = self.out("bad.mp3")
            started = time.time()
            run = subprocess.run([ARGS.namix, "mix", junk, "--duration", "30", "--out", out, *extra],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, code, (extra, run.stderr))
            lines = run.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, run.stderr)
            self.assertIn(words, lines[0])
            self.assertLess(time.time() - started, 10)
            self.assertFalse(os.path.exists(out))
            self.assertFalse(os.path.exists(self.out_path("mix.txt")))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--namix", required=True)
    ap.add_argument("--workdir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
