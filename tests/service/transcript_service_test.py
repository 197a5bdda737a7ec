#!/usr/bin/env python3
"""`namix serve` with transcripts: transcript_url and chapters_url in a JSON
order, `transcript`/`chapters` file parts in a multipart upload, jobs, the
mix's transcript and chapters stored beside its MP3 and linked in the
result's `downloads`, history listing only results, and bad input.

The episode and its true transcript are made here by the transcript
fixture (tests/transcript/test_transcript_cli.py: espeak-ng hosts, a
pre-roll and a mid-roll spliced in) and served from a loopback server.
"""
import argparse
import json
import os
import shutil
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "transcript"))
import service_test  # noqa: E402
import test_mix_feed_cli as feed_fixture  # noqa: E402
import test_mix_transcript_cli as mix_fixture  # noqa: E402
import test_transcript_cli as fixture  # noqa: E402

ARGS = None
TARGET_S = 30
COMPANIONS = {"transcript_vtt": (".vtt", "text/vtt"),
              "transcript_srt": (".srt", "application/x-subrip"),
              "transcript_json": (".transcript.json", "application/json"),
              "chapters": (".chapters.json", "application/json+chapters")}


class ServedFixture(unittest.TestCase):
    """A namix server and a loopback server of the fixture's files."""

    @classmethod
    def setUpClass(cls):
        files = os.path.join(ARGS.work, "files-" + cls.__name__)
        os.makedirs(files)
        cls.mp3, cls.paths, cls.cues, _, _, _ = fixture.build(files)
        feed_fixture.write_feed(files, cls.cues)  # and episode.chapters.json
        with open(os.path.join(files, "notes.srt"), "w") as f:
            f.write("Show notes: gas stoves.\n")
        cls.files = mix_fixture.Server(files)
        cls.server = service_test.Namix(cls.__name__, "--allow-private-urls")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.files.close()

    def order(self, **extra):
        body = {"episode_url": self.files.url("served.mp3"), "theme": "Best Of",
                "target_duration": TARGET_S}
        body.update(extra)
        return body

    def fetch_link(self, url):
        parsed = urllib.parse.urlparse(url)
        return self.server.request("GET", parsed.path + "?" + parsed.query)

    def check_stored(self, result, fmt):
        self.assertEqual(result["transcript"]["format"], fmt)
        self.assertEqual(result["transcript"]["cues"], len(self.cues))
        self.assertTrue(result["transcript"]["alignment"])
        self.assertTrue(any(s["text"] for s in result["segments"]))
        downloads = result["downloads"]
        self.assertEqual(set(downloads), set(COMPANIONS))
        stem = result["download"]["s3_key"][:-len(".mp3")]
        for name, (suffix, ctype) in COMPANIONS.items():
            link = downloads[name]
            self.assertEqual(link["s3_key"], stem + suffix)
            self.assertEqual(link["content_type"], ctype)
            self.assertTrue(os.path.isfile(os.path.join(self.server.data_dir, link["s3_key"])))
            status, headers, data = self.fetch_link(link["url"])
            self.assertEqual(status, 200, name)
            if name == "transcript_vtt":
                self.assertTrue(data.startswith(b"WEBVTT"), data[:40])
            elif name == "chapters":
                chapters = json.loads(data)["chapters"]
                self.assertGreaterEqual(len(chapters), len(result["segments"]))
            elif name == "transcript_json":
                self.assertTrue(json.loads(data)["segments"])
        return downloads


class TranscriptService(ServedFixture):
    def test_1_transcript_url_and_chapters_url(self):
        status, _, result = self.server.json("POST", "/mix/professional", self.order(
            transcript_url=self.files.url("episode.srt"),
            chapters_url=self.files.url("episode.chapters.json")))
        self.assertEqual(status, 200, result)
        self.check_stored(result, "srt")
        # History lists the result, not the files beside it, with fresh links to them.
        status, _, history = self.server.json("GET", "/mix/history")
        self.assertEqual(status, 200)
        keys = [m["mix_key"] for m in history["mixes"]]
        self.assertEqual(len(keys), len(set(keys)))
        self.assertTrue(all(k.endswith(".mp3") and k.count(".") == 1 for k in keys), keys)
        entry = [m for m in history["mixes"] if m["mix_id"] == result["mix_id"]][0]
        self.assertEqual(self.fetch_link(entry["downloads"]["transcript_srt"]["url"])[0], 200)

    def test_2_multipart_transcript_part(self):
        with open(self.mp3, "rb") as f:
            audio = f.read()
        with open(self.paths["vtt"], "rb") as f:
            vtt = f.read()
        body, headers = service_test.multipart(
            {"theme": "Best Of", "target_duration": str(TARGET_S)},
            {"file": ("NA-1800-served.mp3", audio, "audio/mpeg"),
             "transcript": ("episode.vtt", vtt, "text/vtt")})
        status, _, result = self.server.json("POST", "/mix/professional", body, headers)
        self.assertEqual(status, 200, result)
        self.check_stored(result, "vtt")
        self.assertIn("/1800/", result["download"]["s3_key"])

    def test_3_job_with_a_json_transcript(self):
        status, _, body = self.server.json("POST", "/mix/jobs", self.order(
            transcript_url=self.files.url("episode.transcript.json"), about="gas stoves"))
        self.assertEqual(status, 202, body)
        deadline = time.time() + 240
        while time.time() < deadline:
            status, _, job = self.server.json("GET", "/mix/jobs/" + body["job_id"])
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        self.assertEqual(job["state"], "done", job)
        self.check_stored(job["result"], "json")

    def test_4_bad_input(self):
        def post(order):
            return self.server.json("POST", "/mix/professional", order)
        status, _, body = post(self.order(about="gas stoves"))
        self.assertEqual(status, 400, body)
        self.assertIn("--about needs a transcript", body["error"]["message"])
        status, _, body = post(self.order(transcript_url=self.files.url("notes.srt")))
        self.assertEqual(status, 422, body)
        self.assertIn("the transcript URL", body["error"]["message"])
        status, _, body = post(self.order(transcript_url=self.files.url("missing.srt")))
        self.assertEqual(status, 502, body)
        status, _, body = post(self.order(transcript_url="ftp://example.com/t.srt"))
        self.assertEqual(status, 400, body)
        with open(self.mp3, "rb") as f:
            audio = f.read()
        for part, data, words in [("transcript", b"", "is empty"),
                                  ("transcript", b"bad \xff\n", "UTF-8"),
                                  ("chapters", b"not json", "chapters")]:
            form, headers = service_test.multipart(
                {"theme": "Best Of", "target_duration": str(TARGET_S)},
                {"file": ("served.mp3", audio, "audio/mpeg"), part: ("x", data, "text/plain")})
            status, _, body = self.server.json("POST", "/mix/professional", form, headers)
            self.assertEqual(status, 422, body)
            self.assertIn(words, body["error"]["message"])
        # None of the refused orders left a file.
        stored = [n for _, _, names in os.walk(os.path.join(self.server.data_dir, "mixes"))
                  for n in names]
        self.assertFalse([n for n in stored if ".part-" in n], stored)


class FeedService(ServedFixture):
    """feed_url orders and GET /feed."""

    def test_5_feed_listing(self):
        query = urllib.parse.urlencode({"url": self.files.url("feed.xml"), "limit": 2})
        status, _, listing = self.server.json("GET", "/feed?" + query)
        self.assertEqual(status, 200, listing)
        self.assertEqual([i["guid"] for i in listing["items"]], ["guid-1800", "guid-1799"])
        self.assertEqual(listing["items"][0]["transcript"]["format"], "json")
        query = urllib.parse.urlencode({"url": self.files.url("page.html")})
        status, _, body = self.server.json("GET", "/feed?" + query)
        self.assertEqual(status, 502, body)

    def test_6_mix_from_a_feed(self):
        status, _, result = self.server.json("POST", "/mix/professional", {
            "feed_url": self.files.url("feed.xml"), "item": "latest", "theme": "Best Of",
            "target_duration": TARGET_S})
        self.assertEqual(status, 200, result)
        self.assertEqual(result["source"]["item_guid"], "guid-1800")
        self.assertEqual(result["source"]["transcript_url"],
                         self.files.url("episode.transcript.json"))
        self.assertIn("mixes/1800/", result["download"]["s3_key"])
        self.check_stored(result, "json")
        # A transcript the feed names but does not serve: a warning, and a mix by sound.
        status, _, result = self.server.json("POST", "/mix/jobs", {
            "feed_url": self.files.url("feed.xml"), "item": "guid-1799", "theme": "Best Of",
            "target_duration": TARGET_S})
        self.assertEqual(status, 202, result)
        deadline = time.time() + 240
        while time.time() < deadline:
            status, _, job = self.server.json("GET", "/mix/jobs/" + result["job_id"])
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        self.assertEqual(job["state"], "done", job)
        self.assertNotIn("transcript", job["result"])
        self.assertTrue(any("transcript" in w for w in job["result"]["warnings"]))
        for item, status_wanted in [("1798", 502), ("4242", 502)]:
            status, _, body = self.server.json("POST", "/mix/professional", {
                "feed_url": self.files.url("feed.xml"), "item": item, "theme": "Best Of",
                "target_duration": TARGET_S})
            self.assertEqual(status, status_wanted, body)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--group", choices=["transcripts", "feeds"], default="transcripts")
    ARGS, rest = parser.parse_known_args()
    ARGS.work = os.path.abspath(ARGS.work)
    shutil.rmtree(ARGS.work, ignore_errors=True)
    os.makedirs(ARGS.work)
    service_test.ARGS = ARGS
    case = TranscriptService if ARGS.group == "transcripts" else FeedService
    suite = unittest.TestLoader().loadTestsFromTestCase(case)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
