#!/usr/bin/env python3
"""End-to-end test of `namix feed URL`: the real binary reads fixture feeds
from a loopback HTTP server (Python's http.server) and lists their items.
Then every kind of bad feed: one line on stderr and the documented exit code.
"""
import argparse
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import unittest

ARGS = None
EXIT_USAGE, EXIT_NOT_AUDIO, EXIT_NETWORK = 2, 4, 6


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the work directory, plus /moved/ which redirects into it."""

    def do_GET(self):
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "/feeds/" + self.path[len("/moved/"):])
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # namix hangs up on a feed over its download limit: expected here.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def run(*args):
    return subprocess.run([ARGS.namix, *args], capture_output=True, text=True, timeout=120)


class FeedCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(ARGS.workdir, ignore_errors=True)
        feeds = os.path.join(ARGS.workdir, "feeds")
        os.makedirs(feeds)
        for name in os.listdir(ARGS.testdata):
            shutil.copy(os.path.join(ARGS.testdata, name), feeds)
        cls.write(feeds)
        handler = lambda *a, **kw: Handler(*a, directory=ARGS.workdir, **kw)  # noqa: E731
        cls.server = Server(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    @staticmethod
    def write(feeds):
        def put(name, data):
            with open(os.path.join(feeds, name), "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())

        put("page.html", "<!DOCTYPE html>\n<html><head><title>My show</title></head></html>")
        put("atom.xml", "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                        "<title>Atom</title></feed>")
        entities = "<!ENTITY a 'ha'>" + "".join(
            f"<!ENTITY {chr(98 + i)} '{('&' + chr(97 + i) + ';') * 10}'>" for i in range(9))
        put("bomb.xml", f"<?xml version='1.0'?><!DOCTYPE rss [{entities}]>"
                        "<rss><channel><title>&j;</title></channel></rss>")
        put("xxe.xml", "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM "
                       "'file:///etc/passwd'>]><rss><channel><title>&x;</title></channel></rss>")
        put("broken-utf8.xml", b"<rss><channel><title>Caf\xc3 au lait</title></channel></rss>")
        item = b"<item><title>padding</title><enclosure url='e.mp3'/></item>"
        with open(os.path.join(feeds, "huge.xml"), "wb") as f:
            f.write(b"<rss><channel>")
            f.write(item * (50_000_000 // len(item) + 1))
            f.write(b"</channel></rss>")

    def url(self, path):
        return self.base + path

    def assert_refused(self, result, code, *words):
        self.assertEqual(result.returncode, code, result.stderr)
        self.assertEqual(result.stdout, "")
        lines = result.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("namix: "), lines[0])
        for w in words:
            self.assertIn(w, lines[0])

    def test_table_lists_the_latest_items(self):
        r = run("feed", self.url("/feeds/no_agenda_like.xml"), "--allow-private-urls")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().split("\n")
        self.assertEqual(lines[0], "No Agenda Show: 3 items, the latest 3:")
        self.assertEqual(lines[1].split(),
                         ["episode", "date", "duration", "transcript", "chapters", "title"])
        self.assertEqual(lines[2].split()[:5], ["1612", "2023-11-12", "3:11:25", "srt", "yes"])
        self.assertTrue(lines[2].endswith('1612 - "Tarted Up"'), lines[2])
        self.assertEqual(lines[4].split()[:5], ["1610", "2023-11-05", "3:15:02", "-", "-"])

    def test_limit_and_order_by_date(self):
        r = run("feed", self.url("/feeds/varied_shapes.xml"), "--allow-private-urls",
                "--limit", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split() for line in r.stdout.strip().split("\n")[2:]]
        self.assertEqual([row[0] for row in rows], ["42", "41", "-"])
        self.assertEqual(rows[0][3], "json")
        self.assertEqual(rows[1][3], "vtt")
        self.assertTrue(r.stdout.strip().endswith("Bonus: listener mail (no audio)"))

    def test_json_after_a_redirect_resolves_relative_urls_against_the_final_url(self):
        r = run("feed", self.url("/moved/varied_shapes.xml"), "--allow-private-urls", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        listing = json.loads(r.stdout)
        self.assertEqual(listing["feed"]["url"], self.url("/feeds/varied_shapes.xml"))
        self.assertEqual(listing["feed"]["item_count"], 4)
        latest = listing["items"][0]
        self.assertEqual(latest["episode"], 42)
        self.assertEqual(latest["published"], "2023-11-14T08:30:00Z")
        self.assertEqual(latest["duration_s"], 3570)
        self.assertEqual(latest["enclosure"]["media_url"],
                         "https://media.example.net/varied/ep42.mp3")
        self.assertEqual(latest["transcript"]["url"],
                         "https://cdn.example.org/shows/varied/transcripts/42.json")
        self.assertEqual(len(latest["transcripts"]), 4)

    def test_loopback_is_refused_without_allow_private_urls(self):
        r = run("feed", self.url("/feeds/no_agenda_like.xml"))
        self.assert_refused(r, EXIT_NETWORK, "127.0.0.1 is a loopback address",
                            "--allow-private-urls")

    def test_bad_urls_and_options(self):
        self.assert_refused(run("feed", "file:///etc/passwd"), EXIT_USAGE, "file://")
        self.assert_refused(run("feed", "feeds/rss.xml"), EXIT_USAGE, "not an absolute URL")
        self.assert_refused(run("feed", self.url("/feeds/no_agenda_like.xml"),
                                "--allow-private-urls", "--limit", "0"), EXIT_USAGE, "--limit")
        self.assert_refused(run("feed", self.url("/feeds/missing.xml"), "--allow-private-urls"),
                            EXIT_NETWORK, "HTTP 404")

    def test_documents_that_are_no_rss_feed(self):
        cases = {
            "page.html": "is an HTML page, not an RSS feed",
            "atom.xml": "is an Atom feed",
            "bomb.xml": "declares the entity 'a'",
            "xxe.xml": "declares the entity 'x'",
            "broken-utf8.xml": "is not valid UTF-8",
        }
        for name, words in cases.items():
            with self.subTest(name):
                r = run("feed", self.url("/feeds/" + name), "--allow-private-urls")
                self.assert_refused(r, EXIT_NETWORK, words)
                self.assertNotIn("root:", r.stderr)

    def test_a_50_megabyte_feed_is_refused(self):
        r = run("feed", self.url("/feeds/huge.xml"), "--allow-private-urls")
        self.assert_refused(r, EXIT_NOT_AUDIO, "larger than the 32 MiB download limit")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--testdata", required=True)
    parser.add_argument("--workdir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
