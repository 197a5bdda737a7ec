#!/usr/bin/env python3
"""Smoke test of a running namix API (Lambda + API Gateway, or `namix serve`).

The checks of the original rollout plan ("Smoke Test Production", "Verify
Real Audio Processing", "Success Criteria"), against any base URL:

  python3 deploy/smoke_test.py https://API-ID.execute-api.us-east-1.amazonaws.com
  python3 deploy/smoke_test.py http://127.0.0.1:8080 --episode-url http://127.0.0.1:8000/ep.mp3

  1. GET /health answers 200 quickly (the ALB/uptime probe).
  2. GET /mix/health reports every component (decoder, encoder, storage, themes) ok.
  3. GET /mix/themes lists the five themes.
  4. GET /metrics answers Prometheus text; ?format=emf answers CloudWatch EMF JSON.
  5. OPTIONS /mix/professional answers CORS.
  6. An unknown theme is a 400 with an error code and message.
  7. POST /mix/professional (90 s "Best Of"): 200 in under 30 s, a 320 kbps
     MP3 of about the target length, a download URL that delivers the same
     number of bytes of MP3.
  8. POST /mix/jobs + polling GET /mix/jobs/{id}: the job finishes with a result.
  9. GET /mix/history lists the mix just made.

Exit status 0 when every check passed, 1 otherwise. python3 stdlib only.
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

THEMES = ["Best Of", "Media Meltdown", "Conspiracy Corner", "Donation Nation", "Musical Mayhem"]
PLAN_EPISODE = "https://op3.dev/e/mp3s.nashownotes.com/NA-1779-2025-07-06-Final.mp3"


class Api:
    def __init__(self, base_url, api_key, timeout_s):
        self.base = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s

    def call(self, method, path, body=None, headers=None):
        """Returns (status, headers, body bytes, seconds)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("x-api-key", self.api_key)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, dict(response.headers), response.read(), time.monotonic() - start
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read(), time.monotonic() - start

    def json(self, method, path, body=None):
        status, headers, raw, seconds = self.call(method, path, body)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return status, parsed, seconds, headers


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, name, ok, detail=""):
        print("%s  %s%s" % ("PASS" if ok else "FAIL", name, (": " + detail) if detail else ""))
        if not ok:
            self.failures += 1
        return ok


def looks_like_mp3(data):
    return data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0)


def check_mix_result(report, api, label, result, target_s):
    meta = (result or {}).get("mix_metadata", {})
    download = (result or {}).get("download", {})
    report.check(label + " status success", (result or {}).get("status") == "success",
                 json.dumps(result)[:300])
    report.check(label + " 320 kbps", meta.get("bitrate_kbps") == 320, str(meta.get("bitrate_kbps")))
    actual = meta.get("duration_actual") or 0
    report.check(label + " duration within 10 % of target", abs(actual - target_s) <= 0.1 * target_s,
                 "%.1f s for %s s" % (actual, target_s))
    size = meta.get("file_size_bytes") or 0
    expected = 320000 / 8 * actual
    report.check(label + " size fits 320 kbps", actual > 0 and abs(size - expected) <= 0.1 * expected,
                 "%d bytes" % size)
    report.check(label + " loudness -16 LUFS +-1", abs((meta.get("integrated_lufs") or 0) + 16) <= 1.0,
                 str(meta.get("integrated_lufs")))
    report.check(label + " true peak <= -1 dBTP", (meta.get("true_peak_dbtp") or 0) <= -1.0,
                 str(meta.get("true_peak_dbtp")))
    url = download.get("url", "")
    if not report.check(label + " download url present", bool(url)):
        return
    if url.startswith("/"):
        url = api.base + url
    try:
        with urllib.request.urlopen(url, timeout=api.timeout_s) as response:
            data = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        data, status = b"", error.code
    report.check(label + " download 200", status == 200, str(status))
    report.check(label + " download is MP3", looks_like_mp3(data), repr(data[:8]))
    report.check(label + " download size matches", len(data) == size, "%d vs %d" % (len(data), size))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("--episode-url", default=PLAN_EPISODE)
    parser.add_argument("--duration", type=float, default=90)
    parser.add_argument("--all-themes", action="store_true", help="mix every theme, not just Best Of")
    parser.add_argument("--api-key", default="")
    parser.add_argument("--health-only", action="store_true", help="checks 1-6 only, no mixing")
    parser.add_argument("--timeout", type=float, default=60, help="per-request timeout, s")
    parser.add_argument("--job-timeout", type=float, default=600, help="how long to poll a job, s")
    args = parser.parse_args()
    api = Api(args.base_url, args.api_key, args.timeout)
    report = Report()

    status, body, seconds, _ = api.json("GET", "/health")
    report.check("GET /health 200", status == 200, str(status))
    report.check("GET /health under 1 s", seconds < 1.0, "%.2f s" % seconds)

    status, body, _, _ = api.json("GET", "/mix/health")
    report.check("GET /mix/health 200", status == 200, json.dumps(body)[:300])
    components = (body or {}).get("components", {})
    for name in ("decoder", "encoder", "storage", "themes"):
        value = components.get(name)
        ok = value is True or value == "ok" or (isinstance(value, dict) and value.get("ok", value.get("status") == "ok"))
        report.check("component %s ok" % name, bool(ok), json.dumps(value))

    status, body, _, _ = api.json("GET", "/mix/themes")
    names = [t.get("name", t) if isinstance(t, dict) else t for t in ((body or {}).get("themes", body) or [])]
    report.check("GET /mix/themes lists the five themes", all(t in names for t in THEMES), str(names))

    status, headers, raw, _ = api.call("GET", "/metrics")
    report.check("GET /metrics Prometheus text", status == 200 and b"# TYPE" in raw, raw[:80].decode(errors="replace"))
    status, body, _, _ = api.json("GET", "/metrics?format=emf")
    report.check("GET /metrics?format=emf EMF JSON", status == 200 and "_aws" in json.dumps(body or {}),
                 json.dumps(body)[:200])

    status, headers, _, _ = api.call("OPTIONS", "/mix/professional", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    lowered = {k.lower(): v for k, v in headers.items()}
    report.check("CORS preflight", status in (200, 204) and "access-control-allow-origin" in lowered,
                 "%s %s" % (status, lowered.get("access-control-allow-origin")))

    status, body, _, _ = api.json("POST", "/mix/professional", {
        "episode_url": args.episode_url, "theme": "No Such Theme", "target_duration": 60})
    error = (body or {}).get("error", {})
    report.check("unknown theme is 400 with code and message",
                 status == 400 and bool(error.get("code")) and bool(error.get("message")),
                 "%s %s" % (status, json.dumps(body)[:200]))

    if not args.health_only:
        session = "smoke-%d" % int(time.time())
        for theme in (THEMES if args.all_themes else THEMES[:1]):
            status, body, seconds, _ = api.json("POST", "/mix/professional", {
                "episode_url": args.episode_url, "theme": theme,
                "target_duration": args.duration, "session_id": session})
            report.check("POST /mix/professional %s 200" % theme, status == 200,
                         "%s %s" % (status, json.dumps(body)[:300]))
            report.check("%s mix under 30 s" % theme, seconds < 30.0, "%.1f s" % seconds)
            if status == 200:
                check_mix_result(report, api, theme, body, args.duration)

        status, body, _, _ = api.json("POST", "/mix/jobs", {
            "episode_url": args.episode_url, "theme": "Best Of", "target_duration": args.duration})
        job_id = (body or {}).get("job_id")
        if report.check("POST /mix/jobs 202 with job_id", status == 202 and bool(job_id),
                        "%s %s" % (status, json.dumps(body)[:200])):
            deadline = time.monotonic() + args.job_timeout
            state = None
            while time.monotonic() < deadline:
                status, body, _, _ = api.json("GET", "/mix/jobs/" + job_id)
                state = (body or {}).get("state")
                if state in ("done", "failed"):
                    break
                time.sleep(2)
            if report.check("job finished", state == "done", "state %s: %s" % (state, json.dumps(body)[:300])):
                check_mix_result(report, api, "job", (body or {}).get("result"), args.duration)

        status, body, _, _ = api.json("GET", "/mix/history")
        report.check("GET /mix/history lists mixes", status == 200 and bool(body), json.dumps(body)[:200])

    print("%d check(s) failed" % report.failures if report.failures else "all checks passed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
