#!/usr/bin/env python3
"""Integration test of `namix mix --feed URL [--item ...]` and of an http(s)
episode URL as the input, against a loopback server serving a fixture feed
(RSS 2.0 with the iTunes and Podcasting 2.0 namespaces), the episode
test_transcript_cli.py makes and its true transcripts and chapters.
"""
import argparse
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_mix_transcript_cli as mix_fixture  # noqa: E402
from test_mix_transcript_cli import read_json  # noqa: E402
import test_transcript_cli as fixture  # noqa: E402

ARGS = None
MIX_S = 30


def item(guid, number, title, date, enclosure, extra=""):
    return """<item>
  <title><![CDATA[%s]]></title>
  <guid isPermaLink="false">%s</guid>
  <pubDate>%s</pubDate>
  <itunes:episode>%d</itunes:episode>
  %s
  %s
</item>""" % (title, guid, date, number,
              '<enclosure url="%s" length="1000" type="audio/mpeg"/>' % enclosure if enclosure else "",
              extra)


def feed(items):
    return """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:pod="https://podcastindex.org/namespace/1.0">
<channel><title>Fixture Show</title><link>https://example.com</link>
%s
</channel></rss>""" % "\n".join(items)


def write_feed(work, cues):
    """feed.xml beside the fixture: the latest item publishes SubRip and JSON
    transcripts and chapters (relative URLs), an older one a transcript that
    is not there, the oldest no audio; and page.html, which is no feed."""
    mix_fixture.write_chapters(work, cues)
    words = ('<pod:transcript url="episode.srt" type="application/x-subrip"/>'
             '<pod:transcript url="episode.transcript.json" type="application/json"/>'
             '<pod:chapters url="episode.chapters.json" type="application/json+chapters"/>')
    items = [item("guid-1800", 1800, "1800 - Words In", "Sun, 29 Nov 2026 18:00:00 +0000",
                  "served.mp3", words),
             item("guid-1799", 1799, "1799 - Broken Words", "Thu, 26 Nov 2026 18:00:00 +0000",
                  "served.mp3", '<pod:transcript url="missing.vtt" type="text/vtt"/>'),
             item("guid-1798", 1798, "1798 - No Audio", "Sun, 22 Nov 2026 18:00:00 +0000", "")]
    with open(os.path.join(work, "feed.xml"), "w") as f:
        f.write(feed(items))
    with open(os.path.join(work, "page.html"), "w") as f:
        f.write("<!DOCTYPE html><html><body>not a feed</body></html>")


class MixFeedCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        work = ARGS.workdir
        os.makedirs(work, exist_ok=True)
        cls.mp3, cls.paths, cls.cues, _, _, _ = fixture.build(work)
        write_feed(work, cls.cues)
        cls.server = mix_fixture.Server(work)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def path(self, name):
        return mix_fixture.fresh_path(ARGS.workdir, name)

    def mix(self, *args, theme="Best Of"):
        return subprocess.run([ARGS.namix, "mix", *args, "--theme", theme, "--duration", str(MIX_S),
                               "--quiet", "--allow-private-urls"], capture_output=True, text=True)

    def test_latest_item_with_its_transcript_and_chapters(self):
        out, result = self.path("feed.mp3"), self.path("feed.json")
        run = self.mix("--feed", self.server.url("feed.xml"), "--item", "latest", "--out", out,
                       "--json", result, "--chapters-out", self.path("feed.chapters.json"))
        self.assertEqual(run.returncode, 0, run.stderr)
        doc = read_json(result)
        source = doc["source"]
        self.assertEqual(source["feed_url"], self.server.url("feed.xml"))
        self.assertEqual(source["item_guid"], "guid-1800")
        self.assertEqual(source["episode"], "1800")
        self.assertEqual(source["title"], "1800 - Words In")
        self.assertEqual(source["published"], "2026-11-29T18:00:00Z")
        self.assertEqual(source["episode_url"], self.server.url("served.mp3"))
        self.assertEqual(source["transcript_url"], self.server.url("episode.transcript.json"))
        self.assertEqual(source["chapters_url"], self.server.url("episode.chapters.json"))
        self.assertEqual(doc["mix_metadata"]["episode_number"], "1800")
        self.assertEqual(doc["transcript"]["format"], "json")  # JSON preferred over SubRip
        titles = [c["title"] for c in read_json(ARGS.workdir + "/feed.chapters.json")["chapters"]]
        self.assertTrue(any(t.startswith("Published") for t in titles), titles)
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-of", "json", out],
                               check=True, capture_output=True, text=True)
        tags = {k.lower(): v for k, v in json.loads(probe.stdout)["format"]["tags"].items()}
        self.assertIn("1800 - Words In", tags["title"])
        self.assertEqual(tags["album"], "Episode 1800")
        self.assertTrue(tags["date"].startswith("2026-11-29"), tags)

    def test_item_by_guid_and_number_and_override(self):
        result = self.path("guid.json")
        run = self.mix("--feed", self.server.url("feed.xml"), "--item", "1800", "--transcript",
                       self.paths["srt"], "--out", self.path("guid.mp3"), "--json", result)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(read_json(result)["transcript"]["format"], "srt")
        run = self.mix("--feed", self.server.url("feed.xml"), "--item", "guid-1800",
                       "--out", self.path("guid2.mp3"))
        self.assertEqual(run.returncode, 0, run.stderr)

    def test_broken_feed_transcript_is_a_warning(self):
        result = self.path("broken.json")
        run = self.mix("--feed", self.server.url("feed.xml"), "--item", "guid-1799",
                       "--out", self.path("broken.mp3"), "--json", result)
        self.assertEqual(run.returncode, 0, run.stderr)
        doc = read_json(result)
        self.assertNotIn("transcript", doc)
        self.assertTrue(any("transcript" in w for w in doc["warnings"]), doc["warnings"])

    def test_episode_url_as_input(self):
        result = self.path("url.json")
        run = self.mix(self.server.url("served.mp3"), "--transcript", self.server.url("episode.vtt"),
                       "--out", self.path("url.mp3"), "--json", result)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(read_json(result)["transcript"]["format"], "vtt")

    def test_feed_errors(self):
        for args, code, words in [
                (["--feed", self.server.url("page.html")], 6, "RSS"),
                (["--feed", self.server.url("feed.xml"), "--item", "1798"], 6, "no enclosure"),
                (["--feed", self.server.url("feed.xml"), "--item", "4242"], 6, "4242"),
                (["--feed", self.server.url("nothing.xml")], 6, "404"),
                (["--feed", self.server.url("feed.xml"), self.mp3], 2, "either")]:
            out = self.path("err.mp3")
            run = self.mix(*args, "--out", out)
            self.assertEqual(run.returncode, code, (args, run.stderr))
            lines = run.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, run.stderr)
            self.assertIn(words, lines[0])
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--namix", required=True)
    ap.add_argument("--workdir", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
