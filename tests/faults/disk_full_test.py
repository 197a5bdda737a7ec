#!/usr/bin/env python3
"""A full disk at each write `namix serve` makes, on real small tmpfs mounts
(root only: `mount -t tmpfs`): the upload and the download in the data
directory's tmp/, the mix's MP3, its result JSON and the job records in the
storage. Each must answer 507 storage_full (never 500), show in /mix/health,
and leave nothing behind: no partial file, no empty mixes/{episode}/{theme}/,
no MP3 without its JSON, no job left "running".

Usage: disk_full_test.py --namix PATH --work DIR
"""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service"))
import fault_run  # noqa: E402
import service_test as svc  # noqa: E402
from leftovers import leftovers  # noqa: E402

MIB = 1 << 20
PAGE = 4096  # tmpfs hands out space in pages


def pages(nbytes):
    """`nbytes` rounded up to whole pages: what a file of that size takes."""
    return -(-nbytes // PAGE) * PAGE
MIX_S = 30


class Tmpfs:
    """A tmpfs of `size_mb` at `path`: a disk that really fills up. A filler
    file (hidden, so the storage never lists it) sets how much stays free."""

    def __init__(self, path, size_mb):
        os.makedirs(path, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mb, "tmpfs", path],
                       check=True, capture_output=True, text=True)
        self.path = path
        self.filler = os.path.join(path, ".filler")

    def free(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def leave_free(self, nbytes):
        # The filler holds whole pages: exact when `nbytes` is whole pages too.
        current = pages(os.path.getsize(self.filler)) if os.path.exists(self.filler) else 0
        target = current + self.free() - nbytes
        assert target >= 0, "the disk already has less than %d bytes free" % nbytes
        with open(self.filler, "ab") as f:
            if target > current:
                os.posix_fallocate(f.fileno(), 0, target)
        os.truncate(self.filler, target)
        assert abs(self.free() - nbytes) < 64 * 1024, (self.free(), nbytes)

    def close(self):
        subprocess.run(["umount", "-l", self.path], capture_output=True)


@unittest.skipUnless(os.geteuid() == 0, "mounting a tmpfs needs root (CI runs as root)")
class DiskFull(svc.ServiceCase):
    """The data directory (uploads, downloads) and the storage (mixes, jobs)
    each on a 16 MiB tmpfs."""

    @classmethod
    def setUpClass(cls):
        cls.fixture = svc.make_fixture(svc.ARGS.work)
        cls.upstream = svc.Upstream(cls.fixture)
        cls.episode_bytes = os.path.getsize(cls.fixture)
        cls.data = Tmpfs(os.path.join(svc.ARGS.work, "data"), 16)
        cls.store = Tmpfs(os.path.join(svc.ARGS.work, "store"), 16)
        cls.server = svc.Namix("disk-full", "--allow-private-urls", "--rate-per-minute", "0",
                               "--storage", cls.store.path, "--min-free-mb", "4",
                               data_dir=cls.data.path)
        # The sizes a mix writes, from one on an empty disk.
        status, _, result = cls.server.json("POST", "/mix/professional", cls.order())
        assert status == 200, result
        key = result["download"]["s3_key"]
        cls.mp3_bytes = os.path.getsize(os.path.join(cls.store.path, key))
        cls.json_bytes = os.path.getsize(os.path.join(cls.store.path, key[:-4] + ".json"))
        assert cls.json_bytes > 2 * PAGE, cls.json_bytes  # room to fall between the two

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.upstream.release.set()
        cls.upstream.close()
        cls.data.close()
        cls.store.close()

    @classmethod
    def order(cls, path="/episode.mp3"):
        return {"episode_url": cls.upstream.url(path), "theme": "Best Of",
                "target_duration": MIX_S, "episode_number": "1779"}

    def setUp(self):
        self.data.leave_free(12 * MIB)
        self.store.leave_free(12 * MIB)

    def tearDown(self):
        self.data.leave_free(12 * MIB)
        self.store.leave_free(12 * MIB)
        self.assertEqual(leftovers(self.data.path) + leftovers(self.store.path), [])
        self.assertTrue(self.server.alive())

    def assertFull(self, response):
        return self.assertError(response, 507, "storage_full", "No space left on device")

    def test_upload(self):
        with open(self.fixture, "rb") as f:
            body, headers = svc.multipart({"theme": "Best Of", "target_duration": str(MIX_S)},
                                          {"file": ("NA-1779.mp3", f.read(), "audio/mpeg")})
        self.data.leave_free(self.episode_bytes // 2)
        self.assertFull(self.server.json("POST", "/mix/professional", body, headers))
        # Under --min-free-mb the health check says so, without a path.
        status, _, health = self.server.json("GET", "/mix/health")
        self.assertEqual((status, health["status"]), (503, "degraded"))
        disk = health["components"]["disk"]
        self.assertEqual(disk["state"], "failed")
        self.assertLess(disk["free_mb"], 4)
        self.assertRegex(disk["detail"], r"MiB free, under 4 MiB")

    def test_download(self):
        self.data.leave_free(self.episode_bytes // 2)
        self.assertFull(self.server.json("POST", "/mix/professional", self.order()))
        self.data.leave_free(12 * MIB)
        status, _, health = self.server.json("GET", "/mix/health")
        self.assertEqual((status, health["components"]["disk"]["state"]), (200, "ok"))

    def test_mix_file(self):
        self.store.leave_free(self.mp3_bytes // 2)
        self.assertFull(self.server.json("POST", "/mix/professional", self.order()))

    def test_result_json(self):
        # The MP3 fits, its JSON does not: the MP3 goes too (history shows
        # a mix only with both).
        self.store.leave_free(pages(self.mp3_bytes) + pages(self.json_bytes // 2) - PAGE)
        self.assertFull(self.server.json("POST", "/mix/professional", self.order()))

    def test_job_record(self):
        self.store.leave_free(0)
        started = time.time()
        self.assertFull(self.server.json("POST", "/mix/jobs", self.order()))
        self.assertLess(time.time() - started, 5)
        self.assertEqual(os.listdir(os.path.join(self.store.path, "jobs")), [])

    def test_job_whose_final_state_cannot_be_stored(self):
        """The disk fills while the job runs: the mix fails, its final state
        cannot be written either. It is answered from memory meanwhile, and
        stored once there is room: a restart finds it failed for its own
        reason, not "running"."""
        self.upstream.release.clear()
        status, _, job = self.server.json("POST", "/mix/jobs", self.order("/held.mp3"))
        self.assertEqual(status, 202, job)
        job_id = job["job_id"]
        record = os.path.join(self.store.path, "jobs", job_id + ".json")
        deadline = time.time() + 30
        while svc.json.load(open(record))["state"] != "running":
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        self.store.leave_free(0)
        self.upstream.release.set()
        deadline = time.time() + 120
        while True:
            status, _, state = self.server.json("GET", "/mix/jobs/" + job_id)
            if state["state"] in ("done", "failed"):
                break
            self.assertLess(time.time(), deadline)
            time.sleep(0.2)
        self.assertEqual((state["state"], state["error"]["error"]["code"]),
                         ("failed", "storage_full"), state)
        self.assertEqual(svc.json.load(open(record))["state"], "running", "the disk is full")
        self.store.leave_free(12 * MIB)
        self.assertEqual(self.server.json("GET", "/mix/jobs/" + job_id)[2]["state"], "failed")
        stored = svc.json.load(open(record))
        self.assertEqual((stored["state"], stored["error"]["error"]["code"]),
                         ("failed", "storage_full"))


def unmount(args):
    for mount in ("data", "store"):  # a run killed before its tearDown
        subprocess.run(["umount", "-l", os.path.join(args.work, mount)], capture_output=True)


if __name__ == "__main__":
    fault_run.run(DiskFull, before_cleaning=unmount)
