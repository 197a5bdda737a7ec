#!/usr/bin/env python3
"""Integration tests for `namix serve`: the real binary on an ephemeral
loopback port, talking HTTP, with a loopback file server for episodes.

Usage: service_test.py --namix PATH --work DIR --group GROUP
Groups: production, bad_input, limits, security, throttle, restart, data_dir_lock.
Python standard library only; the fixture episode is made here with
espeak-ng (two voices, pauses) and the lame CLI.
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import wave

ARGS = None
THEMES = ["Best Of", "Media Meltdown", "Conspiracy Corner", "Donation Nation", "Musical Mayhem"]
MIX_TARGET_S = 30  # the plan checks 90 s of a 3 h show; the fixture is ~140 s

# ---------------------------------------------------------------- fixture

LINES = [
    ("en-us", 50, "Welcome to the best podcast in the universe. It is Sunday and we are live."),
    ("en-gb", 30, "Thank you very much. I have a lot to say about the news this week."),
    ("en-us", 50, "The media is at it again. They ran the same story on every channel."),
    ("en-gb", 30, "Every single one of them. Word for word. It was a perfect copy."),
    ("en-us", 50, "Let me play the clip. Listen to this and tell me what you hear."),
    ("en-gb", 30, "Unbelievable. That is exactly what I said would happen last month."),
    ("en-us", 50, "We want to thank our producers. Their donations keep this show alive."),
    ("en-gb", 30, "A big thank you to everyone who supported the show this week."),
    ("en-us", 50, "Now here is the thing that nobody wants to talk about on television."),
    ("en-gb", 30, "They never do. They will not touch it. It is far too dangerous for them."),
    ("en-us", 50, "And that brings us to the end of the show. Thanks for listening."),
    ("en-gb", 30, "Until next time. Goodbye everybody, and keep your head up."),
]


def make_fixture(work):
    """A ~140 s two-voice MP3 with pauses (espeak-ng -> wav -> lame), cached per run."""
    mp3 = os.path.join(work, "NA-1779-2026-11-29-Test.mp3")
    if os.path.exists(mp3):
        return mp3
    frames, rate = [], None
    for i, (voice, pitch, text) in enumerate(LINES):
        path = os.path.join(work, "line%02d.wav" % i)
        subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "150", "-w", path, text],
                       check=True)
        with wave.open(path) as w:
            rate = rate or w.getframerate()
            assert w.getframerate() == rate and w.getnchannels() == 1 and w.getsampwidth() == 2
            frames.append(w.readframes(w.getnframes()))
        # Pauses between turns (0.6-1.4 s) and a longer one between topics.
        pause_s = 2.0 if i % 4 == 3 else 0.6 + 0.2 * (i % 5)
        frames.append(b"\0\0" * int(rate * pause_s))
    body = b"".join(frames) * 2  # twice over: ~140 s
    wav_path = os.path.join(work, "episode.wav")
    with wave.open(wav_path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(body)
    tmp = mp3 + ".tmp"
    subprocess.run(["lame", "--quiet", "-b", "128", "--resample", "44.1", "-m", "m", wav_path, tmp],
                   check=True)
    os.replace(tmp, mp3)
    return mp3


def wav_duration(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


# ---------------------------------------------------------------- upstream

class Upstream:
    """A loopback HTTP server with the episodes and the failure modes tests need."""

    def __init__(self, episode_path):
        with open(episode_path, "rb") as f:
            self.episode = f.read()
        self.release = threading.Event()  # lets /held.mp3 send its last 40 %
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send_body(self, status, body, ctype="audio/mpeg", length=True):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                if length:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def redirect(self, location):
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                if path.endswith("/NA-1779-2026-11-29-Test.mp3") or path == "/episode.mp3":
                    self.send_body(200, upstream.episode)
                elif path == "/missing.mp3":
                    self.send_body(404, b"<h1>Not Found</h1>", "text/html")
                elif path == "/page.mp3":
                    self.send_body(200, b"<!DOCTYPE html><html><body>not audio</body></html>",
                                   "text/html")
                elif path == "/truncated.mp3":
                    # Cut mid-frame halfway: the LAME info frame says how long it should be.
                    self.send_body(200, upstream.episode[:len(upstream.episode) // 2 + 1])
                elif path == "/corrupt.mp3":
                    # An MPEG frame header followed by noise.
                    noise = hashlib.sha256(b"seed").digest() * 4096
                    self.send_body(200, b"\xff\xfb\x90\x64" + noise)
                elif path == "/slow.mp3":
                    # Headers, then nothing for longer than the fetch timeout.
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("Content-Length", "500000")
                    self.end_headers()
                    self.wfile.write(upstream.episode[:16])
                    self.wfile.flush()
                    time.sleep(8)
                elif path == "/held.mp3":
                    # 60 % of the episode, then nothing until the test releases
                    # the rest: what the mix does meanwhile shows whether it
                    # decodes while downloading.
                    cut = len(upstream.episode) * 6 // 10
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("Content-Length", str(len(upstream.episode)))
                    self.end_headers()
                    self.wfile.write(upstream.episode[:cut])
                    self.wfile.flush()
                    upstream.release.wait(timeout=60)
                    self.wfile.write(upstream.episode[cut:])
                elif path == "/slow-ok.mp3":
                    time.sleep(3)
                    self.send_body(200, upstream.episode)
                elif path == "/big.mp3":
                    self.send_body(200, upstream.episode * 8)  # > 1 MiB with Content-Length
                elif path == "/big-chunked.mp3":
                    self.send_body(200, upstream.episode * 8, length=False)
                elif path == "/redirect.mp3":
                    self.redirect("/hop2.mp3")
                elif path == "/hop2.mp3":
                    self.redirect("http://127.0.0.1:%d/episode.mp3" % upstream.port)
                elif path == "/loop.mp3":
                    self.redirect("/loop.mp3")
                elif path == "/to-file.mp3":
                    self.redirect("file:///etc/passwd")
                else:
                    self.send_body(404, b"no such fixture", "text/plain")

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- namix serve

class Namix:
    """One `namix serve` process on an ephemeral port."""

    def __init__(self, name, *extra, data_dir=None, env=None):
        self.dir = os.path.join(ARGS.work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.data_dir = data_dir or os.path.join(self.dir, "data")
        self.port_file = os.path.join(self.dir, "port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.stdout = open(self.stdout_path, "ab")
        self.stderr = open(self.stderr_path, "ab")
        cmd = [ARGS.namix, "serve", "--host", "127.0.0.1", "--port", "0", "--port-file",
               self.port_file, "--data-dir", self.data_dir] + list(extra)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=self.stdout, stderr=self.stderr, env=full_env)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("namix serve exited with %d: %s" %
                                   (self.proc.returncode, open(self.stderr_path).read()[-2000:]))
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("namix serve did not start")
        # Wait until it answers.
        for _ in range(100):
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("namix serve does not answer /health")

    def request(self, method, path, body=None, headers=None, timeout=300):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            self.check_no_paths(data)
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def json(self, method, path, body=None, headers=None):
        status, hdrs, data = self.request(method, path, body, headers)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            raise AssertionError("%s %s -> %d, not JSON: %r" % (method, path, status, data[:300]))
        return status, hdrs, parsed

    def check_no_paths(self, body):
        """Every answer of every test: the server's own paths are its business."""
        for path in {self.data_dir, os.path.realpath(self.data_dir)}:
            if path.encode() in body:
                raise AssertionError("a response shows the data directory: %r" % body[:500])

    def raw(self, data, timeout=10):
        """Sends bytes as they are and reads until the server closes or `timeout`
        passes: (seconds taken, status, headers, body, closed by the server)."""
        started = time.time()
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            received, closed = b"", False
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        closed = True
                        break
                    received += chunk
            except socket.timeout:
                pass
        self.check_no_paths(received)
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines[0] else 0
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        return time.time() - started, status, headers, body, closed

    def alive(self):
        return self.proc.poll() is None and self.request("GET", "/health")[0] == 200

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("namix serve did not stop within %d s of %s" % (timeout, sig))
        self.stdout.close()
        self.stderr.close()
        return self.proc.returncode


def multipart(fields, files):
    boundary = "----namixtest%d" % int(time.time() * 1000)
    out = []
    for name, value in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                    % (boundary, name, value)).encode())
    for name, (filename, data, ctype) in files.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, name, filename, ctype)).encode())
        out.append(data)
        out.append(b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), {"Content-Type": "multipart/form-data; boundary=" + boundary}


def xing_quality(mp3):
    """The Xing/Info header's quality field: LAME writes 100 - 10 * VBR_q - q."""
    id3 = 0
    if mp3[:3] == b"ID3":
        id3 = 10 + (mp3[6] << 21 | mp3[7] << 14 | mp3[8] << 7 | mp3[9])
    info = id3 + 4 + 32  # frame header, MPEG-1 stereo side information
    assert mp3[info:info + 4] == b"Info", mp3[info:info + 4]
    return int.from_bytes(mp3[info + 116:info + 120], "big")


# ---------------------------------------------------------------- shared checks

class ServiceCase(unittest.TestCase):
    def assertError(self, response, status, code=None, message_re=None):
        got_status, headers, body = response
        self.assertEqual(got_status, status, "body: %r" % (body,))
        self.assertIsInstance(body, dict)
        self.assertEqual(body.get("status"), "error", body)
        self.assertIn("error", body)
        self.assertTrue(body["error"].get("message"), body)
        self.assertNotIn("\n", body["error"]["message"], "error messages are one line")
        if code:
            self.assertEqual(body["error"].get("code"), code, body)
        if message_re:
            self.assertRegex(body["error"]["message"], message_re)
        self.assertEqual(headers.get("access-control-allow-origin"), "*")
        return body

    def check_mix_result(self, server, body, theme, target_s, episode="1779", mp3_quality=3):
        """The result JSON (src/mix/result_json.cc), and its download link: HEAD 200, audio/mpeg,
        the right length, encoded at the LAME -q asked for; the bytes decode
        (lame --decode) to the reported duration."""
        self.assertEqual(body["status"], "success", body)
        meta = body["mix_metadata"]
        self.assertEqual(meta["theme"], theme)
        self.assertEqual(str(meta["episode_number"]), episode)
        self.assertEqual(meta["bitrate_kbps"], 320)
        self.assertEqual(meta["mp3_quality"], mp3_quality)
        self.assertEqual(meta["sample_rate"], 44100)
        if target_s is not None:
            # The selection fits the target within a few seconds (pauses decide the cuts).
            self.assertLess(abs(meta["duration_actual"] - target_s), 6.0, meta)
        # Every mix: -16 LUFS integrated, true peak <= -1 dBTP on the decoded MP3.
        self.assertLess(abs(meta["integrated_lufs"] - (-16.0)), 1.0, meta)
        self.assertLessEqual(meta["true_peak_dbtp"], -1.0 + 0.05, meta)
        self.assertTrue(body["segments"], "a mix lists its segments")
        previous = -1.0
        for seg in body["segments"]:
            self.assertLess(seg["start_time"], seg["end_time"])
            self.assertGreater(seg["mix_start"], previous)
            previous = seg["mix_start"]
        for key in ("fetch", "decode", "analysis", "render", "encode", "store", "total"):
            self.assertIn(key, body["timings_ms"])
        dl = body["download"]
        self.assertEqual(dl["bucket"], "local")
        self.assertTrue(dl["s3_key"].startswith("mixes/%s/%s/" % (episode, theme.lower().replace(" ", "-"))),
                        dl["s3_key"])
        self.assertTrue(dl["s3_key"].endswith(".mp3"))
        url = urllib.parse.urlparse(dl["url"])
        self.assertEqual(url.port, server.port)
        path = url.path + "?" + url.query
        status, headers, _ = server.request("HEAD", path)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "audio/mpeg")
        self.assertEqual(int(headers.get("content-length")), meta["file_size_bytes"])
        status, headers, data = server.request("GET", path)
        self.assertEqual(status, 200)
        self.assertEqual(len(data), meta["file_size_bytes"])
        self.assertTrue(data[:3] == b"ID3" or data[0] == 0xFF, data[:4])
        self.assertEqual(xing_quality(data), 100 - 10 * 4 - mp3_quality,
                         "LAME's tag records the -q that made the file (CBR: VBR_q 4)")
        mp3 = os.path.join(server.dir, "check.mp3")
        wav = os.path.join(server.dir, "check.wav")
        with open(mp3, "wb") as f:
            f.write(data)
        subprocess.run(["lame", "--quiet", "--decode", mp3, wav], check=True)
        # Decoder delay/padding: LAME's decoder trims by the info tag; allow 0.1 s.
        self.assertLess(abs(wav_duration(wav) - meta["duration_actual"]), 0.1)
        return path


# ---------------------------------------------------------------- groups

class Production(ServiceCase):
    """The original plan's production checks, on one box."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        web = os.path.join(ARGS.work, "web")
        os.makedirs(web, exist_ok=True)
        with open(os.path.join(web, "index.html"), "w") as f:
            f.write("<!DOCTYPE html><title>namix</title>")
        with open(os.path.join(web, "app.js"), "w") as f:
            f.write("console.log('namix');")
        with open(os.path.join(ARGS.work, "secret.txt"), "w") as f:
            f.write("outside the web dir")
        cls.server = Namix("production", "--allow-private-urls", "--web-dir", web)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.close()

    def test_01_health(self):
        status, headers, body = self.server.json("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "healthy")
        self.assertEqual(headers.get("access-control-allow-origin"), "*")

    def test_02_mix_health(self):
        status, _, body = self.server.json("GET", "/mix/health")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "healthy")
        for component in ("decoder", "encoder", "storage", "themes", "mixer"):
            self.assertEqual(body["components"][component]["state"], "ok", component)
        self.assertEqual(sorted(body["themes_available"]), sorted(THEMES))

    def test_03_cors_preflight(self):
        for path in ("/health", "/mix/health", "/mix/professional", "/metrics", "/mix/jobs",
                     "/mix/history", "/mix/themes"):
            status, headers, _ = self.server.request(
                "OPTIONS", path, headers={"Origin": "https://example.org",
                                          "Access-Control-Request-Method": "POST"})
            self.assertIn(status, (200, 204), path)
            self.assertEqual(headers.get("access-control-allow-origin"), "*", path)
            self.assertIn("POST", headers.get("access-control-allow-methods", ""), path)
            self.assertIn("GET", headers.get("access-control-allow-methods", ""), path)
            self.assertIn("content-type", headers.get("access-control-allow-headers", "").lower(), path)
            self.assertIn("x-api-key", headers.get("access-control-allow-headers", "").lower(), path)

    def test_04_themes(self):
        status, _, body = self.server.json("GET", "/mix/themes")
        self.assertEqual(status, 200)
        self.assertEqual(sorted(t["name"] for t in body["themes"]), sorted(THEMES))
        for t in body["themes"]:
            self.assertTrue(t["processing_chain"])

    def test_05_sync_mix_download_and_history(self):
        status, _, body = self.server.json("POST", "/mix/professional", {
            "episode_url": self.upstream.url("/NA-1779-2026-11-29-Test.mp3"),
            "theme": "Best Of", "target_duration": MIX_TARGET_S, "session_id": "prod-check-1"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["session_id"], "prod-check-1")
        self.check_mix_result(self.server, body, "Best Of", MIX_TARGET_S)
        self.assertGreater(body["timings_ms"]["fetch"], 0)
        # History, filtered by episode, lists it with a working (fresh) link.
        status, _, hist = self.server.json("GET", "/mix/history?episode=1779")
        self.assertEqual(status, 200)
        ids = [m["mix_id"] for m in hist["mixes"]]
        self.assertIn(body["mix_id"], ids)
        entry = hist["mixes"][ids.index(body["mix_id"])]
        self.assertEqual(entry["download"]["s3_key"], body["download"]["s3_key"])
        url = urllib.parse.urlparse(entry["download"]["url"])
        self.assertEqual(self.server.request("HEAD", url.path + "?" + url.query)[0], 200)
        status, _, other = self.server.json("GET", "/mix/history?episode=9999")
        self.assertEqual((status, other["count"]), (200, 0))
        status, _, everything = self.server.json("GET", "/mix/history")
        self.assertGreaterEqual(everything["count"], 1)

    def test_06_upload_mix(self):
        with open(self.fixture, "rb") as f:
            data = f.read()
        body, headers = multipart({"theme": "best of", "target_duration": "20", "mp3_quality": "7"},
                                  {"file": ("NA-1779-upload.mp3", data, "audio/mpeg")})
        status, _, result = self.server.json("POST", "/mix/professional", body, headers)
        self.assertEqual(status, 200, result)
        self.check_mix_result(self.server, result, "Best Of", 20, mp3_quality=7)

    def test_07_full_remaster(self):
        status, _, body = self.server.json("POST", "/mix/professional", {
            "episode_url": self.upstream.url("/episode.mp3"), "theme": "Best Of",
            "target_duration": "full", "episode_number": "1779"})
        self.assertEqual(status, 200, body)
        self.check_mix_result(self.server, body, "Best Of", None)

    def test_08_job_polled_to_done(self):
        # The job's order is stored and read back by whichever worker runs it,
        # mp3_quality with it.
        status, headers, body = self.server.json("POST", "/mix/jobs", {
            "episode_url": self.upstream.url("/NA-1779-2026-11-29-Test.mp3"),
            "theme": "Best Of", "target_duration": MIX_TARGET_S, "mp3_quality": 5})
        self.assertEqual(status, 202, body)
        job_id = body["job_id"]
        self.assertEqual(headers.get("location"), "/mix/jobs/" + job_id)
        deadline = time.time() + 240
        last_progress = -1.0
        states = []
        while time.time() < deadline:
            status, _, job = self.server.json("GET", "/mix/jobs/" + job_id)
            self.assertEqual(status, 200)
            self.assertIn(job["state"], ("queued", "running", "done", "failed"))
            self.assertGreaterEqual(job["progress"], last_progress, "progress never goes back")
            self.assertLessEqual(job["progress"], 1.0)
            last_progress = job["progress"]
            states.append(job["state"])
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        self.assertEqual(job["state"], "done", job)
        self.assertEqual(job["progress"], 1.0)
        self.check_mix_result(self.server, job["result"], "Best Of", MIX_TARGET_S, mp3_quality=5)
        self.assertError(self.server.json("GET", "/mix/jobs/20260101T000000Z-deadbeef"), 404,
                         "not_found")
        self.assertError(self.server.json("GET", "/mix/jobs/..%2f..%2fetc"), 404)

    def test_08b_decoding_overlaps_the_download(self):
        self.upstream.release.clear()
        status, _, body = self.server.json("POST", "/mix/jobs", {
            "episode_url": self.upstream.url("/held.mp3"), "theme": "Best Of",
            "target_duration": MIX_TARGET_S, "episode_number": "1779"})
        self.assertEqual(status, 202, body)
        job_id = body["job_id"]
        deadline = time.time() + 30
        job = {}
        while time.time() < deadline:
            job = self.server.json("GET", "/mix/jobs/" + job_id)[2]
            if job.get("stage") == "analysis" and job["progress"] > 0.1:
                break
            time.sleep(0.05)
        # The upstream still holds 40 % of the file: analysis progress means
        # the first 60 % was decoded while the download was running.
        self.assertFalse(self.upstream.release.is_set())
        self.assertEqual((job.get("state"), job.get("stage")), ("running", "analysis"), job)
        self.upstream.release.set()
        deadline = time.time() + 120
        while time.time() < deadline and job["state"] not in ("done", "failed"):
            time.sleep(0.2)
            job = self.server.json("GET", "/mix/jobs/" + job_id)[2]
        self.assertEqual(job["state"], "done", job)
        self.check_mix_result(self.server, job["result"], "Best Of", MIX_TARGET_S)

    def test_09_metrics(self):
        status, headers, data = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        text = data.decode()
        m = re.search(r'^namix_mixes_total\{theme="Best Of",outcome="success"\} (\d+)$', text, re.M)
        self.assertIsNotNone(m, text)
        self.assertGreaterEqual(int(m.group(1)), 3)
        self.assertRegex(text, r'(?m)^namix_http_requests_total\{route="/health",status="200"\} \d+$')
        self.assertRegex(text, r"(?m)^# TYPE namix_mixes_total counter$")
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?[0-9.e+-]+$')
        status, headers, doc = self.server.json("GET", "/metrics?format=emf")
        self.assertEqual(status, 200)
        directive = doc["_aws"]["CloudWatchMetrics"][0]
        self.assertEqual(directive["Namespace"], "namix")
        for metric in directive["Metrics"]:
            self.assertIn(metric["Name"], doc)
        self.assertGreaterEqual(doc["mixes_succeeded"], 3)
        self.assertGreater(doc["mix_ms_mean"], 0)
        self.assertError(self.server.json("GET", "/metrics?format=xml"), 400)

    def test_10_emf_line_per_mix(self):
        with open(self.server.stdout_path) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        mixes = [l for l in lines if "_aws" in l]
        self.assertEqual(len(mixes), len(lines), "stdout holds only EMF lines")
        self.assertGreaterEqual(len(mixes), 3)
        for m in mixes:
            self.assertEqual(m["_aws"]["CloudWatchMetrics"][0]["Dimensions"], [["Theme"]])
            for key in ("mix_ms", "decode_ms", "analysis_ms", "encode_ms", "store_ms",
                        "file_size_mb", "segments_processed", "error_count"):
                self.assertIn(key, m)
        ok = [m for m in mixes if m["error_count"] == 0]
        self.assertTrue(ok and all(m["mix_ms"] > 0 and m["file_size_mb"] > 0 for m in ok))

    def test_11_request_logs_are_json(self):
        with open(self.server.stderr_path) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        requests = [l for l in lines if l.get("msg") == "request"]
        self.assertTrue(requests)
        for r in requests:
            for key in ("ts", "method", "path", "status", "ms", "remote"):
                self.assertIn(key, r)

    def test_12_static_web_page(self):
        status, headers, data = self.server.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn(b"<title>namix</title>", data)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        status, headers, data = self.server.request("GET", "/app.js")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/javascript"))
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/.hidden",
                     "/nothing-here.html"):
            status, _, data = self.server.request("GET", path)
            self.assertEqual(status, 404, path)
            self.assertNotIn(b"outside the web dir", data)
        self.assertTrue(self.server.alive())


class BadInput(ServiceCase):
    """Every bad input gets its HTTP status and a JSON error (a code and a
    message that says what to do), and the server stays up after each."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        cls.server = Namix("bad_input", "--allow-private-urls", "--rate-per-minute", "0")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.close()

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server must stay up")
        # A refused or failed mix leaves no mixes/{episode}/{theme}/ behind.
        empty = [root for root, dirs, files in os.walk(os.path.join(self.server.data_dir, "mixes"))
                 if not dirs and not files and root != os.path.join(self.server.data_dir, "mixes")]
        self.assertEqual(empty, [])

    def post(self, body, headers=None):
        return self.server.json("POST", "/mix/professional", body, headers)

    def good(self, **override):
        body = {"episode_url": self.upstream.url("/episode.mp3"), "theme": "Best Of",
                "target_duration": MIX_TARGET_S}
        body.update(override)
        return {k: v for k, v in body.items() if v is not None}

    def test_malformed_json(self):
        self.assertError(self.post('{"episode_url": "http://x/a.mp3", "theme": '), 400,
                         "invalid_argument", "JSON")
        self.assertError(self.post("not json at all"), 400, "invalid_argument")
        self.assertError(self.post("[1, 2, 3]"), 400, "invalid_argument", "object")
        self.assertError(self.post(""), 400, "invalid_argument")

    def test_missing_fields(self):
        for field in ("episode_url", "theme", "target_duration"):
            self.assertError(self.post(self.good(**{field: None})), 400, "invalid_argument", field)

    def test_mistyped_fields(self):
        for override in ({"theme": 5}, {"target_duration": True}, {"target_duration": "ninety"},
                         {"target_duration": [90]}, {"episode_url": 7}, {"target_lufs": "loud"},
                         {"session_id": 12}, {"session_id": "has spaces and / slashes"}):
            self.assertError(self.post(self.good(**override)), 400, "invalid_argument")
        for quality in ("7", 3.5, 10, -1, True, [3]):
            self.assertError(self.post(self.good(mp3_quality=quality)), 400, "invalid_argument",
                             "mp3_quality must be a whole number from 0")
        # ...quoting what was sent.
        self.assertError(self.post(self.good(mp3_quality="fast")), 400, "invalid_argument",
                         'got "fast" ')

    def test_bad_durations(self):
        for duration in (-5, 0, 1e9, 10 * 24 * 3600):
            self.assertError(self.post(self.good(target_duration=duration)), 400,
                             "invalid_argument", "target_duration")
        self.assertError(self.post(self.good(target_lufs=+3)), 400, "invalid_argument")

    def test_unknown_theme_lists_themes(self):
        body = self.assertError(self.post(self.good(theme="Jazz Hands")), 400, "invalid_argument")
        for name in THEMES:
            self.assertIn(name, body["error"]["message"])

    def test_non_http_schemes(self):
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/episode.mp3", "gopher://127.0.0.1/",
                    "not a url", "http://", "//127.0.0.1/episode.mp3"):
            self.assertError(self.post(self.good(episode_url=url)), 400, "invalid_argument")

    def test_upstream_404(self):
        self.assertError(self.post(self.good(episode_url=self.upstream.url("/missing.mp3"))), 502,
                         "upstream_failed", "404")

    def test_not_audio(self):
        self.assertError(self.post(self.good(episode_url=self.upstream.url("/page.mp3"))), 415,
                         "not_audio")
        body, headers = multipart({"theme": "Best Of", "target_duration": "30"},
                                  {"file": ("notes.txt", b"just some text, not audio" * 10,
                                            "text/plain")})
        self.assertError(self.post(body, headers), 415, "not_audio")

    def test_truncated_and_corrupt_mp3(self):
        self.assertError(self.post(self.good(episode_url=self.upstream.url("/truncated.mp3"))), 422,
                         "undecodable", "truncated")
        # A frame header then noise: either 415 (no MP3 frames found) or 422 is right.
        status, _, body = self.post(self.good(episode_url=self.upstream.url("/corrupt.mp3")))
        self.assertIn((status, body["error"]["code"]), ((415, "not_audio"), (422, "undecodable")),
                      body)

    def test_upload_errors_name_the_upload(self):
        """A damaged upload is named as the client named it, not by the temporary
        file it waits in on the server."""
        with open(self.fixture, "rb") as f:
            data = f.read()
        for filename, named in (("NA-1779-cut.mp3", "NA-1779-cut.mp3"), ("", "the upload")):
            body, headers = multipart({"theme": "Best Of", "target_duration": "30"},
                                      {"file": (filename, data[:len(data) // 2 + 1], "audio/mpeg")})
            error = self.assertError(self.post(body, headers), 422, "undecodable", "truncated")
            self.assertTrue(error["error"]["message"].startswith(named + " is truncated"), error)
            self.assertNotIn("upload-", error["error"]["message"])

    def test_redirects(self):
        status, _, body = self.post(self.good(episode_url=self.upstream.url("/redirect.mp3"),
                                              target_duration=20))
        self.assertEqual(status, 200, body)
        self.assertError(self.post(self.good(episode_url=self.upstream.url("/loop.mp3"))), 502,
                         "upstream_failed", "redirect")
        self.assertError(self.post(self.good(episode_url=self.upstream.url("/to-file.mp3"))), 403,
                         "forbidden")

    def test_bad_multipart(self):
        body, headers = multipart({"theme": "Best Of", "target_duration": "30"}, {})
        self.assertError(self.post(body, headers), 400, "invalid_argument", "file")
        with open(self.fixture, "rb") as f:
            data = f.read()
        body, headers = multipart({"theme": "Best Of", "target_duration": "-3"},
                                  {"file": ("a.mp3", data, "audio/mpeg")})
        self.assertError(self.post(body, headers), 400, "invalid_argument", "target_duration")
        body, headers = multipart({"theme": "Best Of", "target_duration": "30", "mp3_quality": "fast"},
                                  {"file": ("a.mp3", data, "audio/mpeg")})
        self.assertError(self.post(body, headers), 400, "invalid_argument", "mp3_quality")
        self.assertError(self.post(b"--x\r\nbroken", {"Content-Type": "multipart/form-data; boundary=x"}),
                         400)

    def test_body_framing(self):
        """A body whose end cannot be known is refused at once, and the connection
        closed; a request without a length has no body (RFC 9112 §6.3)."""
        post = b"POST /mix/jobs HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        for framing, status, message in (
                (b"", 411, "no Content-Length"),
                (b"Content-Length: -1\r\n", 400, "Content-Length must be"),
                (b"Content-Length: 1e3\r\n", 400, "Content-Length must be"),
                (b"Content-Length: 5\r\nContent-Length: 7\r\n", 400, "two different"),
                (b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400, "both"),
                (b"Transfer-Encoding: gzip\r\n", 501, "chunked")):
            took, got, headers, body, closed = self.server.raw(post + framing + b"\r\n{}\r\n")
            self.assertEqual(got, status, (framing, body))
            self.assertLess(took, 2.0, framing)
            self.assertTrue(closed, "the server closes the connection: %r" % framing)
            self.assertIn(message, json.loads(body)["error"]["message"])
            self.assertEqual(headers["access-control-allow-origin"], ["*"])
        # Methods without a route answer without waiting for a body that is not coming.
        for method in (b"PUT", b"PATCH", b"DELETE"):
            took, got, _, _, _ = self.server.raw(method + b" /health HTTP/1.1\r\nHost: t\r\n\r\n", 5)
            self.assertEqual(got, 405, method)
            self.assertLess(took, 2.0 + 5, method)  # keep-alive: the wait is for our timeout

    def test_wrong_method_and_route(self):
        self.assertError(self.server.json("GET", "/mix/professional"), 405)
        self.assertError(self.server.json("DELETE", "/health"), 405)
        self.assertError(self.server.json("GET", "/mix/nothing"), 404, "not_found")

    def test_no_temp_files_left(self):
        tmp = os.path.join(self.server.data_dir, "tmp")
        deadline = time.time() + 5
        while time.time() < deadline and os.listdir(tmp):
            time.sleep(0.1)
        self.assertEqual(os.listdir(tmp), [], "downloads and uploads are removed after mixing")


class Limits(ServiceCase):
    """Size caps (413) and upstream timeouts (504)."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        cls.server = Namix("limits", "--allow-private-urls", "--max-download-mb", "1",
                           "--max-upload-mb", "1", "--fetch-timeout", "2", "--rate-per-minute", "0")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.close()

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server must stay up")

    def post(self, body, headers=None):
        return self.server.json("POST", "/mix/professional", body, headers)

    def test_oversized_download(self):
        for path in ("/big.mp3", "/big-chunked.mp3"):
            self.assertError(self.post({"episode_url": self.upstream.url(path), "theme": "Best Of",
                                        "target_duration": 30}), 413, "too_large")

    def test_oversized_upload(self):
        body, headers = multipart({"theme": "Best Of", "target_duration": "30"},
                                  {"file": ("big.mp3", b"ID3" + b"\0" * (2 << 20), "audio/mpeg")})
        self.assertError(self.post(body, headers), 413, "too_large")

    def test_oversized_json(self):
        self.assertError(self.post({"episode_url": "http://a/" + "x" * (2 << 20), "theme": "Best Of",
                                    "target_duration": 30}), 413, "too_large")

    def test_upstream_timeout(self):
        started = time.time()
        self.assertError(self.post({"episode_url": self.upstream.url("/slow.mp3"),
                                    "theme": "Best Of", "target_duration": 30}), 504,
                         "upstream_timeout")
        self.assertLess(time.time() - started, 6.0, "the fetch timeout bounds the wait")


class Security(ServiceCase):
    """SSRF refusals, API keys and signed links."""

    KEY = "k-3f9a1c"
    SIGNING_KEY = "test-signing-key-for-namix-service-tests"

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        keys = os.path.join(ARGS.work, "api-keys.txt")
        with open(keys, "w") as f:
            f.write("# test keys\n%s\nsecond-key  # comment\n" % cls.KEY)
        cls.server = Namix("security", "--api-keys", keys, "--rate-per-minute", "0",
                           env={"NAMIX_SIGNING_KEY": cls.SIGNING_KEY})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.close()

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server must stay up")

    def post(self, body, key=KEY):
        return self.server.json("POST", "/mix/professional", body,
                                {"x-api-key": key} if key else None)

    def test_refused_addresses(self):
        port = self.upstream.port
        for url in ("http://127.0.0.1:%d/episode.mp3" % port,
                    "http://localhost:%d/episode.mp3" % port,
                    "http://[::1]:%d/episode.mp3" % port,
                    "http://0.0.0.0:%d/episode.mp3" % port,
                    "http://[::ffff:127.0.0.1]:%d/episode.mp3" % port,
                    "http://2130706433:%d/episode.mp3" % port):  # 127.0.0.1 as a number
            self.assertError(self.post({"episode_url": url, "theme": "Best Of",
                                        "target_duration": 30}), 403, "forbidden", "address")

    def test_api_keys(self):
        good = {"episode_url": "ftp://x/y.mp3", "theme": "Best Of", "target_duration": 30}
        self.assertError(self.post(good, key=None), 401, "unauthorized")
        self.assertError(self.post(good, key="wrong"), 403, "forbidden")
        # With the right key the request gets as far as validation.
        self.assertError(self.post(good, key="second-key"), 400, "invalid_argument")
        self.assertError(self.server.json("GET", "/metrics"), 401)
        self.assertError(self.server.json("GET", "/mix/history"), 401)
        self.assertError(self.server.json("POST", "/mix/jobs", good), 401)
        self.assertEqual(self.server.request("GET", "/metrics", headers={"x-api-key": self.KEY})[0], 200)
        # Liveness and preflight stay open for load balancers and browsers.
        self.assertEqual(self.server.request("GET", "/health")[0], 200)
        self.assertEqual(self.server.request("OPTIONS", "/mix/professional")[0], 204)

    def signed(self, key, expires):
        msg = ("%s\n%d" % (key, expires)).encode()
        return hmac.new(self.SIGNING_KEY.encode(), msg, hashlib.sha256).hexdigest()

    def test_signed_links(self):
        key = "mixes/1779/best-of/placed-by-test.mp3"
        path = os.path.join(self.server.data_dir, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"ID3" + b"\0" * 997)
        future = int(time.time()) + 3600
        url = "/files/%s?expires=%d&sig=%s" % (key, future, self.signed(key, future))
        status, headers, data = self.server.request("GET", url)
        self.assertEqual((status, len(data)), (200, 1000))
        self.assertEqual(headers["content-type"], "audio/mpeg")
        status, headers, _ = self.server.request("HEAD", url)
        self.assertEqual((status, headers["content-length"]), (200, "1000"))
        tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
        self.assertError(self.server.json("GET", tampered), 403, "forbidden", "signature")
        self.assertError(self.server.json("GET", url.replace(str(future), str(future + 1))), 403)
        past = int(time.time()) - 10
        expired = "/files/%s?expires=%d&sig=%s" % (key, past, self.signed(key, past))
        self.assertError(self.server.json("GET", expired), 403, "forbidden", "expired")
        self.assertError(self.server.json("GET", "/files/%s" % key), 403)
        other = "mixes/1779/best-of/other.mp3"
        self.assertError(self.server.json(
            "GET", "/files/%s?expires=%d&sig=%s" % (other, future, self.signed(key, future))), 403)
        self.check_ranges(url, 1000)
        # A key that would leave the data directory is refused, signed or not.
        evil = "../api-keys.txt"
        self.assertIn(self.server.request(
            "GET", "/files/%s?expires=%d&sig=%s" % (evil, future, self.signed(evil, future)))[0],
            (403, 404))


    def check_ranges(self, url, size):
        """Range requests on a file of `size` bytes, as RFC 9110 §14 says."""
        request = ("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\nRange: %%s\r\n\r\n" % url)
        for value, status, content_range, length in (
                ("bytes=0-99999999", 206, "bytes 0-%d/%d" % (size - 1, size), size),
                ("bytes=10-19", 206, "bytes 10-19/%d" % size, 10),
                ("bytes=-10", 206, "bytes %d-%d/%d" % (size - 10, size - 1, size), 10),
                ("bytes=0-99999999999999999999999", 206, "bytes 0-%d/%d" % (size - 1, size), size),
                ("bytes=-0", 416, "bytes */%d" % size, None),
                ("bytes=%d-" % size, 416, "bytes */%d" % size, None),
                ("bytes=0-,0-,0-", 200, None, size),  # many parts: the whole file, once
                ("bytes=5-3", 200, None, size),
                ("pages=1", 200, None, size)):
            _, got, headers, body, _ = self.server.raw((request % value).encode())
            self.assertEqual(got, status, value)
            self.assertEqual(headers.get("content-range"), [content_range] if content_range else None,
                             value)
            self.assertEqual(headers["access-control-allow-origin"], ["*"], value)
            for name, values in headers.items():
                self.assertEqual(len(values), 1, "%s is sent once: %r (%s)" % (name, values, value))
            if length is not None:
                self.assertEqual(int(headers["content-length"][0]), length, value)
                self.assertEqual(len(body), length, value)
            else:
                self.assertEqual(json.loads(body)["error"]["code"], "invalid_argument")
        # HEAD ignores Range; errors are never cut by one.
        _, got, headers, body, _ = self.server.raw(
            ("HEAD %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\nRange: bytes=0-9\r\n\r\n" % url).encode())
        self.assertEqual((got, headers["content-length"], headers["accept-ranges"]),
                         (200, [str(size)], ["bytes"]))
        _, got, _, body, _ = self.server.raw(
            b"GET /files/nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\nRange: bytes=0-5\r\n\r\n")
        self.assertEqual(got, 403)
        self.assertEqual(json.loads(body)["status"], "error")


class Throttle(ServiceCase):
    """Token buckets per client (429 + Retry-After) and the queue cap (503 + Retry-After)."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)

    @classmethod
    def tearDownClass(cls):
        cls.upstream.close()

    def test_token_bucket(self):
        server = Namix("throttle", "--allow-private-urls", "--rate-per-minute", "2", "--burst", "2")
        try:
            bad = {"episode_url": "ftp://x/y.mp3", "theme": "Best Of", "target_duration": 30}
            for _ in range(2):
                self.assertError(server.json("POST", "/mix/professional", bad), 400)
            started = time.time()
            body = self.assertError(server.json("POST", "/mix/jobs", bad), 429, "throttled")
            status, headers, _ = server.json("POST", "/mix/professional", bad)
            self.assertEqual(status, 429)
            self.assertLess(time.time() - started, 2.0, "throttling answers at once")
            retry = int(headers["retry-after"])
            self.assertTrue(1 <= retry <= 30, retry)  # 2 a minute: a token every 30 s
            self.assertEqual(server.request("GET", "/health")[0], 200)
            text = server.request("GET", "/metrics")[2].decode()
            self.assertRegex(text, r"(?m)^namix_throttled_total [1-9]")
        finally:
            server.stop()

    def test_queue_full(self):
        server = Namix("queue", "--allow-private-urls", "--workers", "1", "--queue", "0",
                       "--rate-per-minute", "0")
        try:
            slow = {"episode_url": self.upstream.url("/slow-ok.mp3"), "theme": "Best Of",
                    "target_duration": 20}
            status, _, job = server.json("POST", "/mix/jobs", slow)
            self.assertEqual(status, 202)
            time.sleep(0.5)  # the worker has taken it and waits on the slow upstream
            started = time.time()
            status, headers, body = server.json("POST", "/mix/professional", slow)
            self.assertEqual(status, 503, body)
            self.assertEqual(body["error"]["code"], "unavailable")
            self.assertGreaterEqual(int(headers["retry-after"]), 1)
            self.assertLess(time.time() - started, 2.0, "a full queue answers at once")
            deadline = time.time() + 120
            while time.time() < deadline:
                state = server.json("GET", "/mix/jobs/" + job["job_id"])[2]["state"]
                if state in ("done", "failed"):
                    break
                time.sleep(0.2)
            self.assertEqual(state, "done")
        finally:
            server.stop()


class Restart(ServiceCase):
    """Finished work survives a restart; unfinished jobs are marked failed;
    SIGTERM drains without partial files."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        cls.data_dir = os.path.join(ARGS.work, "restart-data")
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        cls.upstream.close()

    def partial_files(self):
        found = []
        for root, _, files in os.walk(self.data_dir):
            found += [os.path.join(root, f) for f in files if ".part-" in f]
        return found

    def test_restart_and_drain(self):
        request = {"episode_url": self.upstream.url("/NA-1779-2026-11-29-Test.mp3"),
                   "theme": "Best Of", "target_duration": 20}
        first = Namix("restart-1", "--allow-private-urls", data_dir=self.data_dir)
        status, _, mixed = first.json("POST", "/mix/professional", request)
        self.assertEqual(status, 200, mixed)
        status, _, job = first.json("POST", "/mix/jobs", request)
        self.assertEqual(status, 202)
        while first.json("GET", "/mix/jobs/" + job["job_id"])[2]["state"] not in ("done", "failed"):
            time.sleep(0.2)
        # A job still fetching when the process dies hard.
        status, _, doomed = first.json("POST", "/mix/jobs", dict(request, episode_url=self.upstream.url("/slow-ok.mp3")))
        self.assertEqual(status, 202)
        time.sleep(0.5)
        first.stop(signal.SIGKILL)

        second = Namix("restart-2", "--allow-private-urls", data_dir=self.data_dir)
        try:
            status, _, hist = second.json("GET", "/mix/history?episode=1779")
            ids = [m["mix_id"] for m in hist["mixes"]]
            self.assertIn(mixed["mix_id"], ids)
            self.assertIn(job["job_id"], ids)
            entry = hist["mixes"][ids.index(mixed["mix_id"])]
            url = urllib.parse.urlparse(entry["download"]["url"])
            self.assertEqual(url.port, second.port, "links point at the running server")
            status, headers, _ = second.request("HEAD", url.path + "?" + url.query)
            self.assertEqual((status, int(headers["content-length"])),
                             (200, mixed["mix_metadata"]["file_size_bytes"]))
            # The old link still verifies: the signing key persisted in the data dir.
            old = urllib.parse.urlparse(mixed["download"]["url"])
            self.assertEqual(second.request("HEAD", old.path + "?" + old.query)[0], 200)
            status, _, done = second.json("GET", "/mix/jobs/" + job["job_id"])
            self.assertEqual((status, done["state"]), (200, "done"))
            status, _, failed = second.json("GET", "/mix/jobs/" + doomed["job_id"])
            self.assertEqual(failed["state"], "failed", failed)
            self.assertEqual(failed["error"]["error"]["code"], "unavailable")
            self.assertRegex(failed["error"]["error"]["message"], "restart")

            # SIGTERM while a mix runs: new work gets 503, the running mix finishes.
            results = {}

            def run_sync():
                results["sync"] = second.json("POST", "/mix/professional",
                                              dict(request, episode_url=self.upstream.url("/slow-ok.mp3")))

            worker = threading.Thread(target=run_sync)
            worker.start()
            time.sleep(1.0)
            second.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            status, headers, body = second.json("POST", "/mix/professional", request)
            self.assertEqual(status, 503, body)
            self.assertIn("retry-after", headers)
            self.assertEqual(second.request("GET", "/health")[0], 503)
            worker.join(timeout=120)
            status, _, body = results["sync"]
            self.assertEqual(status, 200, body)
            self.assertEqual(second.proc.wait(timeout=60), 0)
        finally:
            second.stop()
        self.assertEqual(self.partial_files(), [])
        self.assertEqual(os.listdir(os.path.join(self.data_dir, "tmp")), [])
        with open(second.stderr_path) as f:
            self.assertIn('"msg":"draining"', f.read())


class DataDirLock(ServiceCase):
    """Two servers on one data directory: the second refuses to start and
    names the first; the first's running job is untouched."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = make_fixture(ARGS.work)
        cls.upstream = Upstream(cls.fixture)
        cls.data_dir = os.path.join(ARGS.work, "shared-data")

    @classmethod
    def tearDownClass(cls):
        cls.upstream.release.set()
        cls.upstream.close()

    def test_second_server_on_one_data_dir_is_refused(self):
        first = Namix("lock-1", "--allow-private-urls", data_dir=self.data_dir)
        try:
            # A job whose download is in {data_dir}/tmp, held at 60 %.
            status, _, job = first.json("POST", "/mix/jobs", {
                "episode_url": self.upstream.url("/held.mp3"), "theme": "Best Of",
                "target_duration": 20})
            self.assertEqual(status, 202, job)
            deadline = time.time() + 30
            while not os.listdir(os.path.join(self.data_dir, "tmp")):
                self.assertLess(time.time(), deadline, "the download never reached tmp/")
                time.sleep(0.05)
            second_dir = os.path.join(ARGS.work, "lock-2")
            os.makedirs(second_dir, exist_ok=True)
            second = subprocess.run(
                [ARGS.namix, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir",
                 self.data_dir, "--port-file", os.path.join(second_dir, "port")],
                capture_output=True, text=True, timeout=30)
            self.assertEqual(second.returncode, 5, second.stderr)
            lines = [l for l in second.stderr.splitlines() if l.strip()]
            self.assertEqual(len(lines), 1, second.stderr)
            self.assertRegex(lines[0], r"^namix: the data directory .* is in use by another namix "
                             r"serve \(pid %d on .*, since .*\); stop that one" % first.proc.pid)
            self.assertTrue(os.listdir(os.path.join(self.data_dir, "tmp")), "tmp/ was emptied")
            self.upstream.release.set()
            deadline = time.time() + 180
            while True:
                status, _, state = first.json("GET", "/mix/jobs/" + job["job_id"])
                if state["state"] in ("done", "failed"):
                    break
                self.assertLess(time.time(), deadline)
                time.sleep(0.2)
            self.assertEqual(state["state"], "done", state)
        finally:
            first.stop()
        # The lock went with the first server: a new one starts.
        third = Namix("lock-3", data_dir=self.data_dir)
        self.assertEqual(third.stop(), 0)


GROUPS = {"production": Production, "bad_input": BadInput, "limits": Limits,
          "security": Security, "throttle": Throttle, "restart": Restart,
          "data_dir_lock": DataDirLock}


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--group", required=True, choices=sorted(GROUPS))
    ARGS, rest = parser.parse_known_args()
    ARGS.work = os.path.abspath(ARGS.work)
    # Each run starts from an empty work directory (data dirs, logs, fixture).
    shutil.rmtree(ARGS.work, ignore_errors=True)
    os.makedirs(ARGS.work)
    suite = unittest.TestLoader().loadTestsFromTestCase(GROUPS[ARGS.group])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
