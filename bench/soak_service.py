#!/usr/bin/env python3
"""The soak phase of bench/load_service.sh: mixed traffic against one running
`namix serve` on loopback for SECONDS, then what held and what did not.

Traffic, each kind from its own threads: /health and /mix/health polls,
/mix/history, jobs (an episode URL or an upload, alternately) followed to
their end, and bad requests (malformed JSON, unknown theme, negative
duration, a POST without a length, a forged download link, an unknown job,
an unknown route). Every answer is classed: the status a kind expects, or
an error (another status, a timeout, a reset). The server's RSS is sampled
every second from /proc; after the warm-up (the first quarter) it must not
grow: the peak of the last quarter may exceed the peak of the second by at
most 10 % + 8 MB.

Usage: soak_service.py PORT SERVER_PID EPISODE_URL EPISODE_FILE SECONDS
Exit status: 0 when nothing failed and RSS held, 1 otherwise.
"""
import http.client
import json
import socket
import sys
import threading
import time
from collections import Counter, defaultdict

PORT, PID, EPISODE_URL, EPISODE_FILE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
SECONDS = float(sys.argv[5])
TARGET_S = 20
STOP_AT = time.time() + SECONDS

lock = threading.Lock()
outcomes = Counter()  # (kind, class) -> count
latencies_ms = defaultdict(list)  # kind -> ms
jobs_ended = Counter()  # "done", "failed: code"
rss_samples = []  # (seconds since start, MB)


def record(kind, outcome, ms=None):
    with lock:
        outcomes[(kind, outcome)] += 1
        if ms is not None:
            latencies_ms[kind].append(ms)


def request(method, path, body=None, headers=None, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def timed(kind, expected, method, path, body=None, headers=None):
    """One request, classed: "ok" when its status is in `expected`, else
    "status N" or the exception's name. Returns (status, body) or None."""
    t0 = time.time()
    try:
        status, data = request(method, path, body, headers)
    except (OSError, http.client.HTTPException) as e:
        record(kind, "error " + type(e).__name__)
        return None
    ms = (time.time() - t0) * 1000
    record(kind, "ok" if status in expected else "error status %d" % status, ms)
    return status, data


def multipart(fields, filename, data):
    boundary = "soakboundary%d" % int(time.time() * 1e6)
    out = b""
    for name, value in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, name, value)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            "Content-Type: audio/mpeg\r\n\r\n" % (boundary, filename)).encode() + data
    out += ("\r\n--%s--\r\n" % boundary).encode()
    return out, {"Content-Type": "multipart/form-data; boundary=" + boundary}


def health_loop():
    while time.time() < STOP_AT:
        timed("health", {200}, "GET", "/health")
        timed("mix_health", {200}, "GET", "/mix/health")
        time.sleep(0.05)


def history_loop():
    while time.time() < STOP_AT:
        timed("history", {200}, "GET", "/mix/history")
        timed("history", {200}, "GET", "/mix/history?episode=1779")
        time.sleep(0.2)


def job_loop(episode):
    n = 0
    while time.time() < STOP_AT:
        n += 1
        if n % 2:
            body = json.dumps({"episode_url": EPISODE_URL, "theme": "Best Of",
                               "target_duration": TARGET_S, "episode_number": "1779"}).encode()
            headers = {"Content-Type": "application/json"}
        else:
            body, headers = multipart({"theme": "Best Of", "target_duration": str(TARGET_S)},
                                      "NA-1779-upload.mp3", episode)
        answer = timed("job_start", {202}, "POST", "/mix/jobs", body, headers)
        if not answer or answer[0] != 202:
            time.sleep(1)
            continue
        job_id = json.loads(answer[1])["job_id"]
        while True:
            time.sleep(0.5)
            answer = timed("job_status", {200}, "GET", "/mix/jobs/" + job_id)
            if not answer or answer[0] != 200:
                break
            job = json.loads(answer[1])
            if job["state"] in ("done", "failed"):
                with lock:
                    jobs_ended["done" if job["state"] == "done"
                               else "failed: " + job["error"]["error"]["code"]] += 1
                if job["state"] == "done":
                    url = job["result"]["download"]["url"]
                    path = url[url.index("/files/"):]
                    timed("download", {200}, "GET", path)
                break


def no_length_post():
    """A POST with a body and neither Content-Length nor chunked: 411 at once."""
    t0 = time.time()
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=10) as s:
            s.sendall(b"POST /mix/jobs HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json"
                      b"\r\nConnection: close\r\n\r\n{}")
            head = s.recv(64)
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else 0
    except OSError as e:
        record("bad", "error " + type(e).__name__)
        return
    record("bad", "ok" if status == 411 else "error status %d" % status, (time.time() - t0) * 1000)


def bad_loop():
    json_headers = {"Content-Type": "application/json"}
    bad = [
        ("POST", "/mix/professional", b"{not json", json_headers, {400}),
        ("POST", "/mix/jobs", json.dumps({"episode_url": EPISODE_URL, "theme": "x" * 60000,
                                          "target_duration": 30}).encode(), json_headers, {400}),
        ("POST", "/mix/professional", json.dumps({"episode_url": EPISODE_URL, "theme": "Best Of",
                                                  "target_duration": -5}).encode(),
         json_headers, {400}),
        ("GET", "/files/mixes/1779/best-of/forged.mp3?expires=9999999999&sig=00", None, {}, {403}),
        ("GET", "/mix/jobs/job-does-not-exist", None, {}, {404}),
        ("GET", "/no/such/route", None, {}, {404}),
    ]
    while time.time() < STOP_AT:
        for method, path, body, headers, expected in bad:
            timed("bad", expected, method, path, body, headers)
        no_length_post()
        time.sleep(0.2)


def rss_loop():
    started = time.time()
    while time.time() < STOP_AT:
        try:
            with open("/proc/%d/status" % PID) as f:
                kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            record("server", "error gone")
            return
        with lock:
            rss_samples.append((time.time() - started, kb / 1024))
        time.sleep(1)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def main():
    with open(EPISODE_FILE, "rb") as f:
        episode = f.read()
    threads = [threading.Thread(target=health_loop) for _ in range(2)]
    threads += [threading.Thread(target=history_loop), threading.Thread(target=bad_loop),
                threading.Thread(target=rss_loop)]
    threads += [threading.Thread(target=job_loop, args=(episode,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    print("kind          requests    p50 ms    p99 ms  outcomes")
    for kind in sorted({k for k, _ in outcomes}):
        classes = {o: c for (k, o), c in outcomes.items() if k == kind}
        lat = latencies_ms.get(kind, [])
        print("%-12s %9d %9.1f %9.1f  %s" % (kind, sum(classes.values()), percentile(lat, 0.5),
                                            percentile(lat, 0.99), dict(sorted(classes.items()))))
    print("jobs ended: %s" % dict(jobs_ended))
    errors = sum(c for (_, o), c in outcomes.items() if o != "ok")
    failed_jobs = sum(c for k, c in jobs_ended.items() if k != "done")
    quarter = SECONDS / 4
    warm = [mb for t, mb in rss_samples if quarter <= t < 2 * quarter]
    late = [mb for t, mb in rss_samples if t >= 3 * quarter]
    peak = max(mb for _, mb in rss_samples) if rss_samples else float("nan")
    held = bool(warm and late) and max(late) <= max(warm) * 1.10 + 8
    print("RSS: peak %.0f MB; after warm-up %.0f MB, last quarter %.0f MB: %s"
          % (peak, max(warm) if warm else float("nan"), max(late) if late else float("nan"),
             "held" if held else "GREW"))
    print("errors %d, failed jobs %d" % (errors, failed_jobs))
    sys.exit(0 if errors == 0 and failed_jobs == 0 and held else 1)


if __name__ == "__main__":
    main()
