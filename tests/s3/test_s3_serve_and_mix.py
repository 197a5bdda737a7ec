#!/usr/bin/env python3
"""`namix serve --storage s3://…` and `namix mix --out s3://…` against a real
S3 server (Ceph RADOS Gateway on loopback, started by scripts/rgw.sh): the mix
lands in the bucket, history lists it, and the presigned link downloads it.

Run: python3 test_s3_serve_and_mix.py --namix path/to/namix
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAKE_EPISODE = os.path.join(REPO, "scripts", "make_demo_episode.sh")
NAMIX = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import rgw_cluster  # noqa: E402


def multipart(fields, file_bytes):
    boundary = "namixs3boundary42"
    parts = []
    for name, value in fields.items():
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"episode-77.mp3\"\r\n"
                 "Content-Type: audio/mpeg\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), "multipart/form-data; boundary=" + boundary


class S3ServeAndMix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="namix-s3-serve-")
        cls.rgw_dir = os.path.join(cls.work, "rgw")
        started, rgw_env = rgw_cluster.start(cls.rgw_dir, 39000, 45000)
        assert started.returncode == 0, started.stdout + started.stderr
        cls.env = dict(os.environ, **rgw_env)
        made = subprocess.run([NAMIX, "s3", "mb", "s3://namix-serve"], env=cls.env,
                              capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        cls.episode = os.path.join(cls.work, "episode-77.mp3")
        subprocess.run([MAKE_EPISODE, cls.episode, "1"], check=True, capture_output=True, timeout=300)

    @classmethod
    def tearDownClass(cls):
        rgw_cluster.kill(cls.rgw_dir)
        shutil.rmtree(cls.work, ignore_errors=True)

    def fetch(self, url, data=None, headers=None, method=None):
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, r.headers, r.read()

    def test_mix_out_to_s3(self):
        out_json = os.path.join(self.work, "cli.json")
        r = subprocess.run([NAMIX, "mix", self.episode, "--duration", "30", "--quiet",
                            "--out", "s3://namix-serve/cli/best-of.mp3", "--json", out_json],
                           env=self.env, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        result = json.load(open(out_json))
        self.assertEqual(result["download"]["bucket"], "namix-serve")
        self.assertEqual(result["download"]["s3_key"], "cli/best-of.mp3")
        status, headers, body = self.fetch(result["download"]["url"])
        self.assertEqual(status, 200)
        self.assertEqual(len(body), result["mix_metadata"]["file_size_bytes"])
        # A failed mix leaves nothing in the bucket.
        bad = subprocess.run([NAMIX, "mix", self.episode, "--duration", "9999", "--quiet",
                              "--out", "s3://namix-serve/cli/never.mp3"],
                             env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        listed = subprocess.run([NAMIX, "s3", "ls", "s3://namix-serve/cli/"], env=self.env,
                                capture_output=True, text=True, timeout=60)
        self.assertIn("best-of.mp3", listed.stdout)
        self.assertNotIn("never.mp3", listed.stdout)

    def test_serve_with_s3_storage(self):
        port_file = os.path.join(self.work, "port")
        server = subprocess.Popen(
            [NAMIX, "serve", "--port", "0", "--port-file", port_file, "--storage", "s3://namix-serve/prod",
             "--data-dir", os.path.join(self.work, "scratch")],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(200):
                if os.path.exists(port_file) and open(port_file).read().strip():
                    break
                time.sleep(0.05)
            base = f"http://127.0.0.1:{open(port_file).read().strip()}"
            status, _, body = self.fetch(base + "/mix/health")
            health = json.loads(body)
            self.assertEqual(status, 200, health)
            body, ctype = multipart({"theme": "Best Of", "target_duration": "30"}, open(self.episode, "rb").read())
            status, _, raw = self.fetch(base + "/mix/professional", body, {"Content-Type": ctype})
            result = json.loads(raw)
            self.assertEqual(status, 200, result)
            download = result["download"]
            self.assertEqual(download["bucket"], "namix-serve")
            self.assertTrue(download["s3_key"].startswith("mixes/77/best-of/"), download)
            self.assertIn("X-Amz-Signature=", download["url"])
            status, headers, mp3 = self.fetch(download["url"])
            self.assertEqual(status, 200)
            self.assertEqual(len(mp3), result["mix_metadata"]["file_size_bytes"])
            status, _, raw = self.fetch(base + "/mix/history?episode=77")
            history = json.loads(raw)
            self.assertTrue(any(json.dumps(m).find(download["s3_key"]) >= 0
                                for m in history.get("mixes", [])), history)
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--namix", required=True)
    args, rest = p.parse_known_args()
    NAMIX = os.path.abspath(args.namix)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
