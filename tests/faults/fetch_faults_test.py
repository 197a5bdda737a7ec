#!/usr/bin/env python3
"""An episode server that misbehaves at the socket level: it never answers,
drips, resets mid-body, closes early, sends more than it announced, or
never ends. `namix serve` (with --allow-private-urls, as the server is on
loopback) must answer each with the right error in bounded time, stay up,
and leave nothing in tmp/ or the storage.

Usage: fetch_faults_test.py --namix PATH --work DIR
"""
import os
import socket
import socketserver
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service"))
import fault_run  # noqa: E402
import service_test as svc  # noqa: E402
from leftovers import leftovers  # noqa: E402

FETCH_TIMEOUT_S = 3
MAX_DOWNLOAD_MB = 8


class BadUpstream:
    """Raw sockets, so that each fault is exactly what the wire carries."""

    def __init__(self, episode):
        outer = self
        self.episode = episode

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode()
                getattr(outer, "serve_" + path.strip("/").split(".")[0].replace("-", "_"))(
                    self.request)

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name):
        return "http://127.0.0.1:%d/%s.mp3" % (self.port, name)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def head(length=None, extra=b""):
        out = b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\n" + extra
        if length is not None:
            out += b"Content-Length: %d\r\n" % length
        return out + b"\r\n"

    @staticmethod
    def send(sock, data):
        try:
            sock.sendall(data)
        except OSError:
            pass

    def serve_silent(self, sock):  # accepts, reads the request, never answers
        time.sleep(FETCH_TIMEOUT_S + 5)

    def serve_drip(self, sock):  # a trickle that never gets there in time
        self.send(sock, self.head(len(self.episode)))
        for i in range(0, len(self.episode), 1024):
            self.send(sock, self.episode[i:i + 1024])
            time.sleep(0.5)

    def serve_reset(self, sock):  # half the body, then a TCP reset
        self.send(sock, self.head(len(self.episode)) + self.episode[:len(self.episode) // 2])
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def serve_reset_at_once(self, sock):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def serve_underrun(self, sock):  # announces the whole, closes after half
        self.send(sock, self.head(len(self.episode)) + self.episode[:len(self.episode) // 2])

    def serve_overrun(self, sock):  # the whole, then 2 MiB nobody asked for
        self.send(sock, self.head(len(self.episode)) + self.episode + os.urandom(2 << 20))

    def serve_short_announce(self, sock):  # announces half, sends the whole
        self.send(sock, self.head(len(self.episode) // 2) + self.episode)

    def serve_endless(self, sock):  # chunked, forever
        self.send(sock, self.head(extra=b"Transfer-Encoding: chunked\r\n"))
        chunk = b"%x\r\n" % len(self.episode) + self.episode + b"\r\n"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                sock.sendall(chunk)
            except OSError:
                return

    def serve_garbage(self, sock):  # not HTTP at all
        self.send(sock, b"SSH-2.0-OpenSSH_9.2\r\n" + os.urandom(512))


class FetchFaults(svc.ServiceCase):
    @classmethod
    def setUpClass(cls):
        fixture = svc.make_fixture(svc.ARGS.work)
        with open(fixture, "rb") as f:
            cls.upstream = BadUpstream(f.read())
        cls.server = svc.Namix("fetch-faults", "--allow-private-urls", "--rate-per-minute", "0",
                               "--fetch-timeout", str(FETCH_TIMEOUT_S),
                               "--max-download-mb", str(MAX_DOWNLOAD_MB))

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.close()

    def tearDown(self):
        self.assertTrue(self.server.alive(), "the server must stay up")
        deadline = time.time() + 5  # the fetch thread removes its file as it ends
        while leftovers(self.server.data_dir) and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(leftovers(self.server.data_dir), [])

    def mix(self, name):
        started = time.time()
        response = self.server.json("POST", "/mix/professional", {
            "episode_url": self.upstream.url(name), "theme": "Best Of", "target_duration": 30,
            "episode_number": "1779"})
        return response, time.time() - started

    def test_no_answer_times_out(self):
        for name in ("silent", "drip"):
            response, took = self.mix(name)
            self.assertError(response, 504, "upstream_timeout")
            self.assertLess(took, FETCH_TIMEOUT_S + 3, name)

    def test_cut_connections_fail_upstream(self):
        for name in ("reset", "reset-at-once", "underrun", "garbage"):
            response, took = self.mix(name)
            self.assertError(response, 502, "upstream_failed", "fetching the episode failed")
            self.assertLess(took, FETCH_TIMEOUT_S + 3, name)

    def test_more_than_announced(self):
        # What follows the announced length is not read: the episode mixes.
        response, _ = self.mix("overrun")
        self.assertEqual(response[0], 200, response[2])
        # Announced half: the half that arrives is a truncated MP3.
        self.assertError(self.mix("short-announce")[0], 422, "undecodable", "truncated")

    def test_endless_stream_stops_at_the_cap(self):
        response, took = self.mix("endless")
        self.assertError(response, 413, "too_large", "%d MiB" % MAX_DOWNLOAD_MB)
        self.assertLess(took, 30)


if __name__ == "__main__":
    fault_run.run(FetchFaults)
