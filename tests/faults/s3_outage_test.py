#!/usr/bin/env python3
"""`namix serve --storage s3://…` when the S3 server dies under a job: a real
Ceph RADOS Gateway (scripts/rgw.sh) stopped while the job's episode is still
downloading. The job fails with a clear "unavailable" (HTTP 503's code), a
synchronous mix gets 503 with Retry-After, no multipart upload is left in
progress and no object is visible; once the gateway is back, the same order
sent again succeeds. (The gateway stopped between the parts of one upload is
tests/s3's S3Outage test, at the storage's level.)

Usage: s3_outage_test.py --namix PATH --work DIR
"""
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "service"))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import fault_run  # noqa: E402
import rgw_cluster  # noqa: E402
import service_test as svc  # noqa: E402
from leftovers import leftovers  # noqa: E402

BUCKET = "namix-faults"


class S3Outage(svc.ServiceCase):
    @classmethod
    def setUpClass(cls):
        cls.fixture = svc.make_fixture(svc.ARGS.work)
        cls.upstream = svc.Upstream(cls.fixture)
        cls.rgw_dir = os.path.join(svc.ARGS.work, "rgw")
        started, rgw_env = rgw_cluster.start(cls.rgw_dir, 45000, 47000)
        assert started.returncode == 0, started.stdout + started.stderr
        cls.env = rgw_env
        cls.s3("mb", "s3://" + BUCKET)
        cls.server = svc.Namix("s3-outage", "--allow-private-urls", "--rate-per-minute", "0",
                               "--storage", "s3://%s/outage" % BUCKET, env=cls.env)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.release.set()
        cls.upstream.close()
        rgw_cluster.kill(cls.rgw_dir)

    @classmethod
    def s3(cls, *args):
        done = subprocess.run([svc.ARGS.namix, "s3", *args], env=dict(os.environ, **cls.env),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def gateway(self, command):
        done = subprocess.run([rgw_cluster.RGW_SCRIPT, command, self.rgw_dir],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)

    def order(self, path):
        return {"episode_url": self.upstream.url(path), "theme": "Best Of",
                "target_duration": 30, "episode_number": "1779"}

    def test_job_fails_clearly_and_succeeds_once_the_gateway_is_back(self):
        # A synchronous mix whose download is held while the gateway goes.
        self.upstream.release.clear()
        answers = {}
        sync = threading.Thread(target=lambda: answers.update(
            sync=self.server.json("POST", "/mix/professional", self.order("/held.mp3"))))
        sync.start()
        time.sleep(1.0)
        self.gateway("stop-rgw")
        try:
            self.upstream.release.set()
            sync.join(timeout=300)
            status, headers, body = answers["sync"]
            self.assertError((status, headers, body), 503, "unavailable", "storage")
            self.assertIn("retry-after", headers)
            # A job sent meanwhile: its record cannot be stored either.
            status, headers, body = self.server.json("POST", "/mix/jobs", self.order("/episode.mp3"))
            self.assertError((status, headers, body), 503, "unavailable")
            status, _, health = self.server.json("GET", "/mix/health")
            self.assertEqual((status, health["components"]["storage"]["state"]), (503, "failed"))
        finally:
            self.gateway("start-rgw")
        self.assertEqual(leftovers(self.server.data_dir), [])
        # Back: nothing half-written is visible, no upload is left in progress.
        self.assertNotIn(".mp3", self.s3("ls", "s3://%s/outage/mixes/" % BUCKET))
        self.assertEqual(self.s3("ls", "--uploads", "s3://%s/outage/" % BUCKET).strip(), "")
        # The same order again, as a job: it succeeds.
        status, _, job = self.server.json("POST", "/mix/jobs", self.order("/episode.mp3"))
        self.assertEqual(status, 202, job)
        deadline = time.time() + 300
        while True:
            status, _, job = self.server.json("GET", "/mix/jobs/" + job["job_id"])
            if job["state"] in ("done", "failed"):
                break
            self.assertLess(time.time(), deadline)
            time.sleep(0.5)
        self.assertEqual(job["state"], "done", job)
        self.assertIn(job["result"]["download"]["s3_key"],
                      self.s3("ls", "s3://%s/outage/mixes/" % BUCKET))


if __name__ == "__main__":
    fault_run.run(S3Outage)
