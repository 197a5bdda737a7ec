#!/usr/bin/env python3
"""kill -9 at random points of 20 jobs, then a restart on the same data
directory. Jobs are sent in rounds (URLs and uploads mixed, the episode
served slowly or at once); each round's server is killed at a random moment
while they fetch, mix or store. After the last restart every job is done or
failed with a reason, every finished mix is whole (its MP3 downloads and has
its JSON), no partial file is visible anywhere, and tmp/ is empty.

Usage: kill_jobs_test.py --namix PATH --work DIR [--seed N]
"""
import os
import random
import signal
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service"))
import fault_run  # noqa: E402
import service_test as svc  # noqa: E402
from leftovers import leftovers  # noqa: E402

JOBS = 20
ROUNDS = 4
MIX_S = 20


class KillJobs(svc.ServiceCase):
    @classmethod
    def setUpClass(cls):
        cls.fixture = svc.make_fixture(svc.ARGS.work)
        with open(cls.fixture, "rb") as f:
            cls.episode = f.read()
        cls.upstream = svc.Upstream(cls.fixture)
        cls.data_dir = os.path.join(svc.ARGS.work, "data")
        print("seed %d" % svc.ARGS.seed, file=sys.stderr)
        cls.random = random.Random(svc.ARGS.seed)

    @classmethod
    def tearDownClass(cls):
        cls.upstream.close()

    def serve(self, n):
        return svc.Namix("kill-%d" % n, "--allow-private-urls", "--rate-per-minute", "0",
                         "--workers", "2", "--queue", str(JOBS), data_dir=self.data_dir)

    def submit(self, server, i):
        kind = i % 3
        if kind == 2:
            body, headers = svc.multipart(
                {"theme": "Best Of", "target_duration": str(MIX_S), "episode_number": str(i)},
                {"file": ("NA-%d.mp3" % i, self.episode, "audio/mpeg")})
            status, _, job = server.json("POST", "/mix/jobs", body, headers)
        else:
            path = "/slow-ok.mp3" if kind == 1 else "/episode.mp3"
            status, _, job = server.json("POST", "/mix/jobs", {
                "episode_url": self.upstream.url(path), "theme": "Best Of",
                "target_duration": MIX_S, "episode_number": str(i)})
        self.assertEqual(status, 202, job)
        return job["job_id"]

    def test_every_job_ends_and_nothing_partial_is_left(self):
        job_ids = []
        per_round = JOBS // ROUNDS
        for n in range(ROUNDS):
            server = self.serve(n)
            job_ids += [self.submit(server, len(job_ids)) for _ in range(per_round)]
            kill_after_s = self.random.uniform(0.2, 8.0)
            print("round %d: kill -9 after %.1f s" % (n, kill_after_s), file=sys.stderr)
            time.sleep(kill_after_s)
            server.stop(signal.SIGKILL)

        server = self.serve(ROUNDS)
        try:
            states = {}
            for job_id in job_ids:
                status, _, job = server.json("GET", "/mix/jobs/" + job_id)
                self.assertEqual(status, 200, job)
                self.assertIn(job["state"], ("done", "failed"), job)
                states[job["state"]] = states.get(job["state"], 0) + 1
                if job["state"] == "failed":
                    message = job["error"]["error"]["message"]
                    self.assertTrue(message, job)
                    continue
                url = urllib.parse.urlparse(job["result"]["download"]["url"])
                status, headers, mp3 = server.request("GET", url.path + "?" + url.query)
                self.assertEqual(status, 200, job_id)
                self.assertEqual(len(mp3), job["result"]["mix_metadata"]["file_size_bytes"])
            print("after %d kills: %s" % (ROUNDS, states), file=sys.stderr)
            self.assertEqual(leftovers(self.data_dir), [])
            # The server that found all this still mixes.
            status, _, mixed = server.json("POST", "/mix/professional", {
                "episode_url": self.upstream.url("/episode.mp3"), "theme": "Best Of",
                "target_duration": MIX_S})
            self.assertEqual(status, 200, mixed)
        finally:
            server.stop()


def seed_argument(parser):
    parser.add_argument("--seed", type=int, default=int(time.time()),
                        help="of the kill times; printed, to replay a run")


if __name__ == "__main__":
    fault_run.run(KillJobs, extra_arguments=seed_argument)
