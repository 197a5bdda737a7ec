#!/usr/bin/env python3
"""Does a mix of a URL overlap decoding with the download? (run by hand)

    bench/fetch_overlap.py EPISODE.mp3 [--rate-mbps 160] [--runs 3] [--duration 90]
                           [--namix build/src/app/namix]

Serves EPISODE from a loopback server throttled to --rate-mbps (megabits per
second, a fast home line by default), starts `namix serve`, and runs, in
turn, --runs times:
  download  curl of the URL alone (the download time)
  local     `namix mix EPISODE` on the file already on disk (the mix alone)
  served    POST /mix/professional with the URL (download + mix)
and prints the medians. Without overlap, served ~ download + local; with it,
served approaches max(download, analysis) + render.
"""
import argparse
import http.server
import json
import os
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def throttled_server(path, bytes_per_s):
    size = os.path.getsize(path)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = 64 * 1024
            started = time.monotonic()
            sent = 0
            with open(path, "rb") as f:
                while True:
                    data = f.read(chunk)
                    if not data:
                        break
                    try:
                        self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    sent += len(data)
                    ahead = sent / bytes_per_s - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("episode")
    ap.add_argument("--rate-mbps", type=float, default=160.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", default="90")
    ap.add_argument("--namix", default=os.path.join(ROOT, "build/src/app/namix"))
    args = ap.parse_args()

    files = throttled_server(args.episode, args.rate_mbps * 1e6 / 8)
    url = "http://127.0.0.1:%d/episode.mp3" % files.server_address[1]
    work = tempfile.mkdtemp(prefix="namix-overlap-")
    port_file = os.path.join(work, "port")
    server = subprocess.Popen(
        [args.namix, "serve", "--port", "0", "--port-file", port_file, "--data-dir",
         os.path.join(work, "data"), "--allow-private-urls", "--workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        api = "http://127.0.0.1:%s/mix/professional" % open(port_file).read().strip()
        body = json.dumps({"episode_url": url, "theme": "Best Of",
                           "target_duration": float(args.duration)}).encode()

        def download():
            with urllib.request.urlopen(url) as r:
                while r.read(1 << 20):
                    pass

        def local():
            subprocess.run([args.namix, "mix", args.episode, "--duration", args.duration,
                            "--out", os.path.join(work, "local.mp3"), "--quiet"], check=True)

        def served():
            req = urllib.request.Request(api, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=900) as r:
                result = json.load(r)
            assert result.get("status") == "success", result

        times = {"download": [], "local": [], "served": []}
        for _ in range(args.runs):
            for name, fn in (("download", download), ("local", local), ("served", served)):
                times[name].append(timed(fn))
        med = {k: statistics.median(v) for k, v in times.items()}
        size_mb = os.path.getsize(args.episode) / 1e6
        print("episode %s (%.0f MB) at %.0f Mbit/s, %d runs, %s s Best Of, %d cores" %
              (os.path.basename(args.episode), size_mb, args.rate_mbps, args.runs, args.duration,
               os.cpu_count()))
        for k in ("download", "local", "served"):
            print("  %-9s median %6.2f s" % (k, med[k]))
        print("  served / (download + local) = %.2f   (1.00: no overlap)" %
              (med["served"] / (med["download"] + med["local"])))
        print("  served - download = %.2f s after the last byte" % (med["served"] - med["download"]))
    finally:
        server.terminate()
        server.wait(timeout=30)
        files.shutdown()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
