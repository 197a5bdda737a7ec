#!/usr/bin/env python3
"""Following a show end to end: the real `namix serve --subscriptions`, a
show's feed on a loopback HTTP server that the test publishes into, a
webhook receiver on loopback that checks each signature, and namix's own
podcast feed read back with rss-parser (npm, tests/follow/parse_feed.mjs)
and held to the W3C feed validator's rules that apply.

Usage: test_follow.py --namix PATH --work DIR
Python standard library only; the fixture episode is made here with
espeak-ng and the lame CLI.
"""
import argparse
import email.utils
import glob
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
import wave
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import webhook_signature  # noqa: E402

ARGS = None
HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "whsec-follow-test-0123456789"
API_KEY = "follow-test-key-1"
POLL_S = 3
WEBHOOK_FIRST_RETRY_S = 2
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}

LINES = [
    ("en-us", 50, "Welcome to the show. It is Sunday and we are live with the news."),
    ("en-gb", 30, "Thank you very much. I have a lot to say about this week."),
    ("en-us", 50, "We want to thank our producers. Their donations keep the show alive."),
    ("en-gb", 30, "A big thank you to everyone who supported the show this week."),
    ("en-us", 50, "The media is at it again. They ran the same story on every channel."),
    ("en-gb", 30, "Until next time. Goodbye everybody, and keep your head up."),
]


def srt_time(seconds):
    ms = round(seconds * 1000)
    return "%02d:%02d:%02d,%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


def make_episode(work):
    """A ~35 s two-voice MP3 with pauses (espeak-ng -> wav -> lame), and its
    SRT transcript as a show publishes it: (mp3 bytes, srt text)."""
    mp3 = os.path.join(work, "episode.mp3")
    frames, rate, cues = [], None, []
    for i, (voice, pitch, text) in enumerate(LINES):
        path = os.path.join(work, "line%d.wav" % i)
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "150", "-w", path, text],
                       check=True)
        with wave.open(path) as w:
            rate = rate or w.getframerate()
            frames.append(w.readframes(w.getnframes()))
            cues.append((w.getnframes() / rate, text))
        frames.append(b"\0\0" * int(rate * (0.7 + 0.3 * (i % 3))))
        cues.append((len(frames[-1]) / 2 / rate, None))
    wav_path = os.path.join(work, "episode.wav")
    with wave.open(wav_path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(frames) * 2)
    subprocess.run(["lame", "--quiet", "-b", "96", "--resample", "44.1", "-m", "m", wav_path, mp3],
                   check=True)
    srt, at_s = [], 0.0
    for duration_s, text in cues * 2:
        if text:
            srt.append("%d\n%s --> %s\n%s\n" % (len(srt) + 1, srt_time(at_s),
                                                 srt_time(at_s + duration_s), text))
        at_s += duration_s
    with open(mp3, "rb") as f:
        return f.read(), "\n".join(srt)


# ---------------------------------------------------------------- the show

class Show:
    """A podcast's feed and episodes on loopback, with the faults a feed has."""

    def __init__(self, episode, transcript):
        self.episode = episode
        self.transcript = transcript.encode()
        self.items = []  # newest first: (number, guid, enclosure path)
        self.mode = "ok"  # ok, 500, timeout, garbage, gone
        self.lock = threading.Lock()
        self.episode_delay_s = 0.0
        self.feed_requests = 0
        self.requests_by_query = {}  # "?added" -> how often that feed URL was asked for
        show = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body, ctype, headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                if self.path.startswith("/audio/"):
                    time.sleep(show.episode_delay_s)
                    self.send(200, show.episode, "audio/mpeg")
                    return
                if self.path.startswith("/transcripts/"):
                    self.send(200, show.transcript, "application/srt")
                    return
                path, _, query = self.path.partition("?")
                if path != "/feed.xml":
                    self.send(404, b"not found", "text/plain")
                    return
                with show.lock:
                    show.feed_requests += 1
                    show.requests_by_query[query] = show.requests_by_query.get(query, 0) + 1
                    mode = show.mode
                    xml = show.render().encode()
                if mode == "500":
                    self.send(500, b"<h1>Internal Server Error</h1>", "text/html")
                elif mode == "gone":
                    self.send(404, b"<h1>Not Found</h1>", "text/html")
                elif mode == "garbage":
                    self.send(200, b"\x89PNG\r\n\x1a\n not a feed at all", "application/rss+xml")
                elif mode == "timeout":
                    time.sleep(8)
                    self.send(200, xml, "application/rss+xml")
                else:
                    etag = '"%s"' % hashlib.sha256(xml).hexdigest()[:16]
                    if self.headers.get("If-None-Match") == etag:
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send(200, xml, "application/rss+xml", [("ETag", etag)])

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def publish(self, number, enclosure=None):
        with self.lock:
            self.items.insert(0, (number, "test-show-%d" % number,
                                  enclosure or "/audio/ep%d.mp3" % number))

    def republish(self, number, enclosure):
        with self.lock:
            self.items = [(n, g, enclosure if n == number else e) for (n, g, e) in self.items]

    def render(self):
        items = []
        for number, guid, enclosure in self.items:
            date = email.utils.formatdate(1_790_000_000 + number * 86400, usegmt=True)
            items.append(
                "<item><title>Episode %d</title><guid isPermaLink='false'>%s</guid>"
                "<pubDate>%s</pubDate><itunes:episode>%d</itunes:episode>"
                "<enclosure url='%s%s' length='%d' type='audio/mpeg'/>"
                "<podcast:transcript url='%s/transcripts/ep%d.srt' type='application/srt'/>"
                "</item>"
                % (number, guid, date, number, self.base, enclosure, len(self.episode),
                   self.base, number))
        return ("<?xml version='1.0' encoding='UTF-8'?>"
                "<rss version='2.0' xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'"
                " xmlns:podcast='https://podcastindex.org/namespace/1.0'>"
                "<channel><title>Test Show</title><link>%s/</link><language>en</language>"
                "<description>A show for tests</description>"
                "<itunes:image href='%s/art.jpg'/>%s</channel></rss>"
                % (self.base, self.base, "".join(items)))


class Receiver:
    """A webhook receiver on loopback: keeps every delivery and whether its
    signature checked out; answers `status`."""

    def __init__(self):
        self.deliveries = []
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signature = self.headers.get("X-Namix-Signature", "")
                receiver.deliveries.append({
                    "at": time.time(),
                    "verified": webhook_signature.is_verified(SECRET, signature, body),
                    # The check itself refuses a body changed by one byte.
                    "tampered_verified": webhook_signature.is_verified(
                        SECRET, signature, body + b" "),
                    "id": self.headers.get("X-Namix-Delivery"),
                    "event": self.headers.get("X-Namix-Event"), "body": json.loads(body),
                    "answered": receiver.status})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/hooks/namix" % self.server.server_address[1]


# ---------------------------------------------------------------- namix

class Namix:
    def __init__(self, work, subscriptions):
        self.work = work
        self.data_dir = os.path.join(work, "data")
        self.subscriptions = subscriptions
        self.proc = None
        self.log = open(os.path.join(work, "namix-serve.log"), "ab")
        self.api_keys = os.path.join(work, "api-keys")
        with open(self.api_keys, "w") as f:
            f.write(API_KEY + "\n")

    def start(self, port="0"):
        port_file = os.path.join(self.work, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.proc = subprocess.Popen(
            [ARGS.namix, "serve", "--host", "127.0.0.1", "--port", port, "--port-file", port_file,
             "--data-dir", self.data_dir, "--subscriptions", self.subscriptions,
             "--allow-private-urls", "--min-poll-interval", "1", "--fetch-timeout", "3",
             "--workers", "1", "--api-keys", self.api_keys,
             "--webhook-first-retry", str(WEBHOOK_FIRST_RETRY_S)],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            port = ""
            if os.path.exists(port_file):
                with open(port_file) as f:
                    port = f.read().strip()
            if port:
                self.base = "http://127.0.0.1:%s" % port
                return
            if self.proc.poll() is not None:
                raise AssertionError("namix serve exited %d" % self.proc.returncode)
            time.sleep(0.05)
        raise AssertionError("namix serve did not start")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)

    def get(self, path, headers=None, method="GET", body=None, key=API_KEY):
        """(status, body, headers) of a request; with the API key unless
        `key` is None."""
        headers = dict(headers or {})
        if key is not None:
            headers["x-api-key"] = key
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, headers=headers, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def subscription(self, sid="show"):
        status, body, _ = self.get("/subscriptions/" + sid)
        assert status == 200, body
        return json.loads(body)["subscription"]

    def deliveries(self):
        status, body, _ = self.get("/subscriptions/show/deliveries")
        assert status == 200, body
        return json.loads(body)["deliveries"]

    def feed_items(self, slug="best-of", sid="show"):
        # As a podcast app asks: without a key.
        status, body, _ = self.get("/feeds/%s/%s.xml" % (sid, slug), key=None)
        assert status == 200, body
        return ET.fromstring(body).findall("./channel/item"), body

    def mp3s(self):
        return sorted(glob.glob(os.path.join(self.data_dir, "mixes", "*", "*", "*.mp3")))


def wait_for(what, predicate, timeout_s):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout_s, what))


def rss_parser(xml):
    """What rss-parser (npm) makes of the feed; fails the test on its error."""
    done = subprocess.run(["node", os.path.join(HERE, "parse_feed.mjs")], input=xml,
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(done.stderr.decode())
    return json.loads(done.stdout)


def validator_findings(xml):
    """The W3C feed validator's RSS 2.0 and iTunes rules that apply to a
    feed of mixes: what breaks them, empty when none does."""
    findings = []
    root = ET.fromstring(xml)
    if root.tag != "rss" or root.get("version") != "2.0":
        findings.append("root must be <rss version='2.0'>")
    channels = root.findall("channel")
    if len(channels) != 1:
        return findings + ["exactly one channel"]
    channel = channels[0]
    for tag in ("title", "link", "description"):
        if not (channel.findtext(tag) or "").strip():
            findings.append("channel lacks <%s>" % tag)
    for tag in ("itunes:image", "itunes:category", "itunes:explicit"):
        if channel.find(tag, NS) is None:
            findings.append("channel lacks <%s>" % tag)
    explicit = channel.findtext("itunes:explicit", namespaces=NS)
    if explicit not in ("true", "false"):
        findings.append("itunes:explicit must be true or false")
    self_link = channel.find("atom:link", NS)
    if self_link is None or self_link.get("rel") != "self" or \
            self_link.get("type") != "application/rss+xml":
        findings.append("missing atom:link rel=self type=application/rss+xml")
    if not (channel.findtext("language") or "").strip():
        findings.append("channel lacks <language>")
    guids = set()
    for item in channel.findall("item"):
        if not (item.findtext("title") or item.findtext("description")):
            findings.append("item needs a title or a description")
        guid = item.find("guid")
        if guid is None or not guid.text:
            findings.append("item lacks a guid")
        else:
            if guid.text in guids:
                findings.append("duplicate guid " + guid.text)
            guids.add(guid.text)
            if guid.get("isPermaLink") != "false" and not guid.text.startswith("http"):
                findings.append("a guid that is not a URL needs isPermaLink='false'")
        enclosure = item.find("enclosure")
        if enclosure is None:
            findings.append("item lacks an enclosure")
        else:
            if not enclosure.get("url", "").startswith(("http://", "https://")):
                findings.append("enclosure url must be absolute http(s)")
            if not enclosure.get("length", "").isdigit() or int(enclosure.get("length")) <= 0:
                findings.append("enclosure length must be a positive number of bytes")
            if enclosure.get("type") != "audio/mpeg":
                findings.append("enclosure type must be audio/mpeg")
        pub = item.findtext("pubDate") or ""
        try:
            email.utils.parsedate_to_datetime(pub)
        except (TypeError, ValueError):
            findings.append("pubDate is not RFC 822: %r" % pub)
        duration = item.findtext("itunes:duration", namespaces=NS) or ""
        if not duration.isdigit():
            findings.append("itunes:duration must be whole seconds: %r" % duration)
    return findings


class Follow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(ARGS.work, ignore_errors=True)
        os.makedirs(ARGS.work)
        cls.show = Show(*make_episode(ARGS.work))
        cls.receiver = Receiver()
        subscriptions = os.path.join(ARGS.work, "subscriptions.toml")
        with open(subscriptions, "w") as f:
            f.write("""
[[subscription]]
id = "show"
feed_url = "%s/feed.xml"
poll_interval = "%ds"
outputs = [ { theme = "Best Of", duration = 20 }, { theme = "Donation Nation", duration = 15 } ]
webhooks = [ { url = "%s", secret = "%s" } ]
""" % (cls.show.base, POLL_S, cls.receiver.url, SECRET))
        cls.show.publish(1)
        cls.show.publish(2)  # the latest when namix first polls: only it is mixed
        cls.namix = Namix(ARGS.work, subscriptions)
        cls.namix.start()

    @classmethod
    def tearDownClass(cls):
        if cls.namix.proc and cls.namix.proc.poll() is None:
            cls.namix.stop()
        cls.show.server.shutdown()
        cls.receiver.server.shutdown()

    def mixed_titles(self, slug="best-of"):
        items, _ = self.namix.feed_items(slug)
        return [i.findtext("title") for i in items]

    def test_1_first_poll_mixes_only_the_latest(self):
        wait_for("the first mixes", lambda: len(self.namix.mp3s()) == 2, 60)
        wait_for("episode 2 in both feeds", lambda: len(self.mixed_titles()) == 1 and
                 len(self.mixed_titles("donation-nation")) == 1, 20)
        self.assertIn("Episode 2", self.mixed_titles()[0])

    def test_2_a_new_item_is_mixed_published_and_told_within_a_poll(self):
        wait_for("episode 2 published", lambda: len(self.mixed_titles("donation-nation")) == 1, 60)
        published_at = time.time()
        self.show.publish(3)
        wait_for("episode 3 in the feed", lambda: len(self.mixed_titles()) == 2, 60)
        # One poll interval (plus its tenth of jitter), and the mix itself.
        took_s = time.time() - published_at
        # The mixes take seconds each on an idle machine; the margin is for
        # a loaded one.
        self.assertLess(took_s, POLL_S * 1.1 + 45, "took %.1f s" % took_s)
        ep3 = lambda: [d for d in self.receiver.deliveries  # noqa: E731
                       if d["body"]["item"]["guid"] == "test-show-3"]
        wait_for("two webhooks for episode 3", lambda: len(ep3()) >= 2, POLL_S + 30)
        hook_s = max(d["at"] for d in ep3()) - published_at
        self.assertLess(hook_s, POLL_S * 1.1 + 50)
        for d in self.receiver.deliveries:
            self.assertTrue(d["verified"], d)
            self.assertFalse(d["tampered_verified"], d)
            self.assertEqual(d["event"], "mix.finished")
        latest = ep3()[-1]["body"]
        self.assertEqual(latest["subscription"]["id"], "show")
        self.assertEqual(latest["output"]["podcast_feed_url"].split("/feeds/")[0], self.namix.base)
        self.assertTrue(latest["mix"]["download"]["url"].startswith(self.namix.base + "/published/"))

        items, xml = self.namix.feed_items()
        self.assertEqual(validator_findings(xml), [])
        parsed = rss_parser(xml)
        self.assertEqual(len(parsed["items"]), 2)
        newest = parsed["items"][0]
        self.assertIn("Episode 3", newest["title"])
        self.assertEqual(newest["enclosure"]["type"], "audio/mpeg")
        self.assertGreater(int(newest["enclosure"]["length"]), 0)
        self.assertTrue(newest["guid"].startswith("namix:show:best-of:"))
        self.assertTrue(newest["itunes:duration"].isdigit())
        self.assertIn("podcast:soundbite", newest)
        # The mix's own transcript (the show's SRT, re-timed through the edit
        # list) and its chapters, linked from the item and served.
        item = [i for i in items if "Episode 3" in i.findtext("title")][0]
        transcript = item.find("podcast:transcript", NS)
        chapters = item.find("podcast:chapters", NS)
        self.assertEqual(transcript.get("type"), "text/vtt")
        self.assertEqual(chapters.get("type"), "application/json+chapters")
        status, vtt, _ = self.namix.get(transcript.get("url")[len(self.namix.base):], key=None)
        self.assertEqual(status, 200)
        self.assertTrue(vtt.startswith(b"WEBVTT"), vtt[:40])
        said = [re.sub(r"<[^>]*>", "", line) for line in vtt.decode().splitlines()[1:]
                if line.strip() and "-->" not in line and not line.strip().isdigit()]
        vocabulary = set(re.findall(r"[a-z']+", " ".join(text for _, _, text in LINES).lower()))
        self.assertTrue(said, vtt)
        self.assertLessEqual(set(re.findall(r"[a-z']+", " ".join(said).lower())), vocabulary)
        status, body, _ = self.namix.get(chapters.get("url")[len(self.namix.base):], key=None)
        self.assertEqual(status, 200)
        chapter_list = json.loads(body)
        self.assertEqual(chapter_list["version"], "1.2.0")
        starts = [c["startTime"] for c in chapter_list["chapters"]]
        self.assertTrue(starts and starts == sorted(starts), starts)
        self.assertEqual(parsed["feedUrl"], self.namix.base + "/feeds/show/best-of.xml")
        # The enclosure is a stable link: no signature in the feed, and it
        # serves the mix itself.
        self.assertNotIn("sig=", xml.decode())
        status, body, _ = self.namix.get(newest["enclosure"]["url"][len(self.namix.base):],
                                         key=None)
        self.assertEqual(status, 200)
        self.assertEqual(len(body), int(newest["enclosure"]["length"]))
        self.assertIn(body[:3], (b"ID3", b"\xff\xfb"))
        # An unchanged feed is the same bytes, and a 304 when asked so.
        _, again, headers = self.namix.get("/feeds/show/best-of.xml", key=None)
        self.assertEqual(again, xml)
        status, _, _ = self.namix.get("/feeds/show/best-of.xml", {"If-None-Match": headers["ETag"]},
                                      key=None)
        self.assertEqual(status, 304)

    def test_3_feed_faults_are_visible_and_mix_nothing(self):
        wait_for("episode 3 mixed", lambda: len(self.namix.mp3s()) == 4, 60)
        for mode, word in (("500", "500"), ("garbage", ""), ("timeout", ""), ("gone", "404")):
            self.show.mode = mode
            requests = self.show.feed_requests
            shown = wait_for("a failed poll (%s)" % mode, lambda: (
                self.show.feed_requests > requests and
                self.namix.subscription()["last_poll"]["outcome"] == "failed" and
                self.namix.subscription()), 60)
            self.assertEqual(shown["status"], "failing", mode)
            self.assertIn(word, shown["last_poll"]["error"]["message"], mode)
            self.show.mode = "ok"
            wait_for("a good poll after %s" % mode,
                     lambda: self.namix.subscription()["status"] == "ok", 120)
        events = " ".join(e["message"] for e in self.namix.subscription()["events"])
        self.assertIn("poll failed", events)
        # The same GUID with another enclosure: noted, not mixed again.
        self.show.republish(3, "/audio/ep3-fixed.mp3")
        wait_for("the new enclosure noticed", lambda: "another enclosure" in " ".join(
            e["message"] for e in self.namix.subscription()["events"]), 30)
        time.sleep(POLL_S)
        self.assertEqual(len(self.namix.mp3s()), 4)
        self.assertEqual(len(self.mixed_titles()), 2)

    def test_4_a_restart_changes_nothing(self):
        wait_for("episode 3 mixed", lambda: len(self.namix.mp3s()) == 4, 60)
        _, before = self.namix.feed_items()
        hooks = len(self.receiver.deliveries)
        self.namix.stop()
        # On the same address: the feed's links and its podcast:guid (a
        # UUIDv5 of its URL) follow the address it is served at.
        self.namix.start(port=self.namix.base.rsplit(":", 1)[1])
        requests = self.show.feed_requests
        wait_for("two polls after the restart", lambda: self.show.feed_requests >= requests + 2,
                 POLL_S * 4)
        _, after = self.namix.feed_items()
        self.assertEqual(after, before)
        self.assertEqual(len(self.namix.mp3s()), 4)
        self.assertEqual(len(self.receiver.deliveries), hooks)

    def test_5_kill_9_during_a_mix_mixes_the_item_once(self):
        wait_for("episode 3 mixed", lambda: len(self.namix.mp3s()) == 4, 60)
        # The episode's server is slow, so the mix is surely under way.
        self.show.episode_delay_s = 3.0
        self.show.publish(4)
        wait_for("episode 4 being mixed", lambda: any(
            p.get("state") == "mixing" for p in self.namix.subscription()["pending"]), 30)
        self.killed_pid = self.namix.proc.pid
        self.namix.stop(signal.SIGKILL)
        self.show.episode_delay_s = 0.0
        ep4_files = lambda: [p for p in glob.glob(  # noqa: E731
            os.path.join(self.namix.data_dir, "mixes", "4", "**", "*"), recursive=True)
            if os.path.isfile(p)]
        # What was being written stays a temporary (".part-PID-…"), which
        # the storage neither lists nor serves, and removes on restart.
        published = [p for p in ep4_files() if ".part-" not in p]
        self.assertEqual(published, [], "nothing of episode 4 is published before it is whole")
        status, body, _ = self.namix_get_after_restart()
        self.assertEqual(status, 200, body)
        self.assertEqual([p for p in ep4_files() if ".part-" in p and
                          "-%d-" % self.killed_pid in p], [])
        wait_for("episode 4 in both feeds", lambda: len(self.mixed_titles()) == 3 and
                 len(self.mixed_titles("donation-nation")) == 3, 90)
        ep4 = [p for p in self.namix.mp3s() if "/4/" in p]
        self.assertEqual(len(ep4), 2, ep4)  # once per output
        requests = self.show.feed_requests
        wait_for("a poll after", lambda: self.show.feed_requests >= requests + 2, POLL_S * 4)
        self.assertEqual(len([p for p in self.namix.mp3s() if "/4/" in p]), 2)
        finished = [d for d in self.receiver.deliveries if d["body"]["item"]["guid"] == "test-show-4"]
        self.assertEqual(len({d["id"] for d in finished}), 2)

    def namix_get_after_restart(self):
        self.namix.start()
        return self.namix.get("/health")

    def test_6_the_api_lists_subscriptions_and_deliveries(self):
        status, body, _ = self.namix.get("/subscriptions")
        self.assertEqual(status, 200)
        listed = json.loads(body)["subscriptions"]
        self.assertEqual([s["id"] for s in listed], ["show"])
        self.assertNotIn(SECRET, body.decode())
        outputs = listed[0]["outputs"]
        self.assertEqual(outputs[0]["podcast_feed_url"], self.namix.base + "/feeds/show/best-of.xml")
        self.assertGreaterEqual(len(outputs[0]["mixes"]), 2)
        status, body, _ = self.namix.get("/subscriptions/show/deliveries")
        self.assertEqual(status, 200)
        deliveries = json.loads(body)["deliveries"]
        self.assertTrue(deliveries)
        self.assertTrue(all(d["state"] == "delivered" for d in deliveries), deliveries)
        status, body, _ = self.namix.get("/feeds/show/no-such-theme.xml")
        self.assertEqual(status, 404)

    def test_7_a_webhook_receiver_that_is_down_gets_each_delivery_when_back(self):
        wait_for("episode 4 in both feeds", lambda: len(self.mixed_titles()) == 3 and
                 len(self.mixed_titles("donation-nation")) == 3, 90)
        ep5 = lambda: [d for d in self.namix.deliveries()  # noqa: E731
                       if d["body"]["item"]["guid"] == "test-show-5"]
        self.receiver.status = 503
        try:
            self.show.publish(5)
            # Mixing goes on while the receiver is down.
            wait_for("episode 5 in both feeds", lambda: len(self.mixed_titles()) == 4 and
                     len(self.mixed_titles("donation-nation")) == 4, 90)
            wait_for("two refused attempts at each delivery", lambda: len(ep5()) == 2 and all(
                len(d["attempts"]) >= 2 for d in ep5()), 60)
            for d in ep5():
                self.assertEqual(d["state"], "pending", d)
                self.assertEqual({a["status"] for a in d["attempts"]}, {503}, d)
                self.assertGreater(d["next_attempt_ms"], d["attempts"][-1]["at_ms"])
        finally:
            self.receiver.status = 200
        wait_for("both delivered once the receiver is back",
                 lambda: all(d["state"] == "delivered" for d in ep5()), 60)
        for d in ep5():
            posts = [r for r in self.receiver.deliveries if r["id"] == d["id"]]
            # Each attempt the log shows reached the receiver, signed afresh,
            # and the last one was taken.
            self.assertEqual([r["answered"] for r in posts], [a["status"] for a in d["attempts"]])
            self.assertEqual(posts[-1]["answered"], 200)
            self.assertTrue(all(r["verified"] for r in posts), posts)
            gaps_s = [(b["at_ms"] - a["at_ms"]) / 1000 for a, b in zip(d["attempts"],
                                                                        d["attempts"][1:])]
            # Back-off: the first wait at least the first retry, each next one
            # about twice the last (less a margin for a loaded machine).
            self.assertGreaterEqual(gaps_s[0], WEBHOOK_FIRST_RETRY_S * 0.9, gaps_s)
            for shorter, longer in zip(gaps_s, gaps_s[1:]):
                self.assertGreater(longer, shorter * 1.3, gaps_s)

    def test_8_subscriptions_are_added_and_removed_through_the_api(self):
        order = {"id": "added", "feed_url": self.show.base + "/feed.xml?added",
                 "poll_interval": "%ds" % POLL_S, "outputs": [{"theme": "Best Of", "duration": 20}]}
        status, _, _ = self.namix.get("/subscriptions", method="POST", body=order, key=None)
        self.assertEqual(status, 401)
        status, _, _ = self.namix.get("/subscriptions", method="POST", body=order, key="not-a-key")
        self.assertEqual(status, 403)
        status, body, _ = self.namix.get("/subscriptions", method="POST",
                                         body=dict(order, outputs=[{"theme": "No Such Theme"}]))
        self.assertEqual(status, 400, body)
        self.assertIn("No Such Theme", json.loads(body)["error"]["message"])
        status, body, headers = self.namix.get("/subscriptions", method="POST", body=order)
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["Location"], "/subscriptions/added")
        status, body, _ = self.namix.get("/subscriptions", method="POST", body=order)
        self.assertEqual(status, 400, body)
        self.assertIn("exists", json.loads(body)["error"]["message"])
        status, body, _ = self.namix.get("/subscriptions")
        self.assertEqual([s["id"] for s in json.loads(body)["subscriptions"]], ["show", "added"])
        # Its first poll mixes the show's latest episode, for it alone.
        items = wait_for("the latest episode in the added feed", lambda: self.namix.feed_items(
            sid="added")[0], POLL_S * 1.1 + 60)
        self.assertIn("Episode 5", items[0].findtext("title"))
        self.assertEqual(len(items), 1)

        status, _, _ = self.namix.get("/subscriptions/added", method="DELETE", key=None)
        self.assertEqual(status, 401)
        status, body, _ = self.namix.get("/subscriptions/show", method="DELETE")
        self.assertEqual(status, 403, body)
        self.assertIn("subscriptions file", json.loads(body)["error"]["message"])
        status, body, _ = self.namix.get("/subscriptions/added", method="DELETE")
        self.assertEqual((status, json.loads(body)["status"]), (200, "deleted"), body)
        self.assertEqual(self.namix.get("/subscriptions/added")[0], 404)
        self.assertEqual(self.namix.get("/feeds/added/best-of.xml", key=None)[0], 404)
        # It is polled no more, and stays gone across a restart.
        polled = self.show.requests_by_query.get("added", 0)
        self.namix.stop()
        self.namix.start(port=self.namix.base.rsplit(":", 1)[1])
        status, body, _ = self.namix.get("/subscriptions")
        self.assertEqual([s["id"] for s in json.loads(body)["subscriptions"]], ["show"])
        requests = self.show.feed_requests
        wait_for("two polls of the show", lambda: self.show.feed_requests >= requests + 2,
                 POLL_S * 4)
        self.assertEqual(self.show.requests_by_query.get("added", 0), polled)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--work", required=True)
    ARGS, rest = parser.parse_known_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "rss-parser")):
        print("tests/follow needs `npm ci` in tests/follow (make npm)", file=sys.stderr)
        return 1
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    sys.exit(main())
