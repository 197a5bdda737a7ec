"""`namix lambda` (the real binary) against the Runtime API emulator.

Run: python3 test_lambda_runtime.py --namix path/to/namix
"""

import base64
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import sys
import threading
import time
import unittest
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import rgw_cluster  # noqa: E402
import webhook_signature  # noqa: E402
from runtime_emulator import RuntimeEmulator  # noqa: E402

NAMIX = None
REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
THEMES_DIR = os.path.join(REPO, "themes")
MAKE_EPISODE = os.path.join(REPO, "scripts", "make_demo_episode.sh")

V1_GET = {
    "resource": "/{proxy+}",
    "path": "/echo/hello",
    "httpMethod": "GET",
    "headers": {"Accept": "application/json", "x-api-key": "k1"},
    "multiValueHeaders": {"Accept": ["application/json"]},
    "queryStringParameters": {"episode": "12"},
    "multiValueQueryStringParameters": {"episode": ["12"]},
    "requestContext": {"stage": "prod", "identity": {"sourceIp": "203.0.113.7"}},
    "body": None,
    "isBase64Encoded": False,
}


# What EventBridge sends on each tick of deploy/serverless.yml's schedule.
SCHEDULED_EVENT = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event", "source": "aws.events",
    "account": "123456789012", "time": "2026-12-05T04:00:00Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/namix-poll"], "detail": {}}


def v2_event(method, raw_path, body=None, base64_body=False, query=None):
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "stage": "$default",
            "http": {"method": method, "path": raw_path, "sourceIp": "198.51.100.4"},
        },
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if base64_body else body
    return event


def run_namix(args, env_extra, timeout=30):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NAMIX_"))}
    env.update(env_extra)
    return subprocess.run([NAMIX] + args, env=env, capture_output=True, text=True, timeout=timeout)


class LambdaRuntimeTest(unittest.TestCase):
    def setUp(self):
        self.emulator = RuntimeEmulator(invoke_secret="emulatorSecret/Key+1").start()

    def tearDown(self):
        self.emulator.stop()

    def serve(self, count, extra_args=()):
        return run_namix(
            ["lambda", "--diagnostic-echo", "--max-invocations", str(count)] + list(extra_args),
            {"AWS_LAMBDA_RUNTIME_API": self.emulator.address},
        )

    def test_rest_v1_event_round_trip_with_trace_id(self):
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
        rid = self.emulator.add_event(V1_GET, trace_id=trace)
        done = self.serve(1)
        self.assertEqual(done.returncode, 0, done.stderr)
        response = self.emulator.responses[rid]
        self.assertEqual(response["statusCode"], 200)
        self.assertFalse(response["isBase64Encoded"])
        echoed = json.loads(response["body"])
        self.assertEqual(echoed["method"], "GET")
        self.assertEqual(echoed["path"], "/echo/hello")
        self.assertEqual(echoed["query"], {"episode": "12"})
        self.assertEqual(echoed["headers"]["x-api-key"], "k1")
        self.assertEqual(echoed["remote_addr"], "203.0.113.7")
        self.assertEqual(echoed["trace_id"], trace)
        self.assertIn("x-namix-deadline-ms", echoed["headers"])

    def test_http_v2_event_with_base64_request_body(self):
        payload = json.dumps({"theme": "rant", "target_duration": 60}).encode()
        rid = self.emulator.add_event(v2_event("POST", "/mix/jobs", payload, base64_body=True))
        done = self.serve(1)
        self.assertEqual(done.returncode, 0, done.stderr)
        echoed = json.loads(self.emulator.responses[rid]["body"])
        self.assertEqual(echoed["method"], "POST")
        self.assertEqual(echoed["path"], "/mix/jobs")
        self.assertEqual(echoed["body"].encode(), payload)
        self.assertEqual(echoed["remote_addr"], "198.51.100.4")

    def test_binary_response_is_base64(self):
        rid = self.emulator.add_event(v2_event("GET", "/echo/binary"))
        done = self.serve(1)
        self.assertEqual(done.returncode, 0, done.stderr)
        response = self.emulator.responses[rid]
        self.assertTrue(response["isBase64Encoded"])
        self.assertEqual(response["headers"]["Content-Type"], "application/octet-stream")
        self.assertEqual(base64.b64decode(response["body"]), bytes(range(256)))

    def test_handler_failure_and_unknown_event_go_to_error(self):
        thrown = self.emulator.add_event(v2_event("GET", "/echo/throw"))
        unknown = self.emulator.add_event({"Records": [{"eventSource": "aws:sqs"}]})
        garbage = self.emulator.add_event("this is not json")
        after = self.emulator.add_event(v2_event("GET", "/echo/still-alive"))
        done = self.serve(4)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.emulator.errors[thrown]["type"], "Runtime.HandlerException")
        self.assertIn("diagnostic failure requested",
                      self.emulator.errors[thrown]["body"]["errorMessage"])
        self.assertEqual(self.emulator.errors[thrown]["body"]["errorType"],
                         "Runtime.HandlerException")
        self.assertEqual(self.emulator.errors[unknown]["type"], "Runtime.InvalidEvent")
        self.assertEqual(self.emulator.errors[garbage]["type"], "Runtime.InvalidEvent")
        # The loop goes on after a failed invocation.
        self.assertEqual(self.emulator.responses[after]["statusCode"], 200)

    def test_job_event_without_a_job_runner_fails_the_invocation(self):
        rid = self.emulator.add_event({"namix_job": {"job_id": "20261129T132400Z-1a2b3c4d"}})
        done = self.serve(1)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.emulator.errors[rid]["type"], "Runtime.NoJobHandler")

    def test_deadline_answers_504_before_lambda_kills_the_invocation(self):
        # 2.5 s left, 1.5 s margin: the answer must come after ~1 s, not 3 s.
        rid = self.emulator.add_event(
            v2_event("GET", "/echo/sleep", query={"ms": "3000"}), deadline_in_ms=2500)
        start = time.monotonic()
        done = self.serve(1)
        self.assertEqual(done.returncode, 0, done.stderr)
        response = self.emulator.responses[rid]
        self.assertEqual(response["statusCode"], 504)
        self.assertIn("/mix/jobs", json.loads(response["body"])["error"]["message"])
        self.assertLess(time.monotonic() - start, 6.0)

    def test_start_up_failure_goes_to_init_error(self):
        # s3 storage without credentials: a start-up failure.
        done = run_namix(["lambda", "--storage", "s3://namix-mixes/prod"],
                         {"AWS_LAMBDA_RUNTIME_API": self.emulator.address})
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(len(self.emulator.init_errors), 1)
        init = self.emulator.init_errors[0]
        self.assertEqual(init["type"], "Runtime.InitError.invalid_argument")
        self.assertIn("AWS_ACCESS_KEY_ID", init["body"]["errorMessage"])
        self.assertIn("no AWS credentials", done.stderr)

    def test_outside_lambda_is_a_usage_error(self):
        done = run_namix(["lambda"], {})
        self.assertEqual(done.returncode, 2)
        self.assertIn("AWS_LAMBDA_RUNTIME_API", done.stderr)


class LambdaApiTest(unittest.TestCase):
    """The real API router (net/router.h) behind the Lambda adapter, local storage."""

    def setUp(self):
        self.emulator = RuntimeEmulator().start()
        self.data_dir = tempfile.mkdtemp(prefix="namix-lambda-")

    def tearDown(self):
        self.emulator.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def test_health_themes_and_a_bad_request_through_the_router(self):
        health = self.emulator.add_event(v2_event("GET", "/health"))
        themes = self.emulator.add_event(dict(V1_GET, path="/mix/themes", queryStringParameters=None))
        bad = self.emulator.add_event(v2_event(
            "POST", "/mix/professional",
            json.dumps({"episode_url": "http://127.0.0.1:9/x.mp3", "theme": "No Such Theme",
                        "target_duration": 60})))
        done = run_namix(["lambda", "--max-invocations", "3"], {
            "AWS_LAMBDA_RUNTIME_API": self.emulator.address,
            "NAMIX_DATA_DIR": self.data_dir,
            "NAMIX_THEMES_DIR": THEMES_DIR,
        })
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.emulator.responses[health]["statusCode"], 200,
                         self.emulator.responses[health])
        listed = self.emulator.responses[themes]
        self.assertEqual(listed["statusCode"], 200, listed)
        self.assertIn("Media Meltdown", listed["body"])
        refused = self.emulator.responses[bad]
        self.assertEqual(refused["statusCode"], 400, refused)
        self.assertIn("Best Of", json.loads(refused["body"])["error"]["message"])
        self.assertEqual(self.emulator.errors, {})


    def test_scheduled_event_polls_the_subscriptions(self):
        """An EventBridge schedule's event runs one poll round; its state is
        in the storage, where the API reads it. Lambda follows the public
        servers' address policy: a loopback feed is refused, and shown so."""
        subscriptions = os.path.join(self.data_dir, "subscriptions.toml")
        with open(subscriptions, "w") as f:
            f.write('[[subscription]]\nid = "show"\nfeed_url = "http://127.0.0.1:9/feed.xml"\n'
                    'outputs = [ { theme = "Best Of", duration = 60 } ]\n')
        scheduled = self.emulator.add_event(SCHEDULED_EVENT)
        shown = self.emulator.add_event(v2_event("GET", "/subscriptions/show"))
        done = run_namix(["lambda", "--max-invocations", "2"], {
            "AWS_LAMBDA_RUNTIME_API": self.emulator.address,
            "NAMIX_DATA_DIR": self.data_dir,
            "NAMIX_THEMES_DIR": THEMES_DIR,
            "NAMIX_SUBSCRIPTIONS_FILE": subscriptions,
        })
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.emulator.errors, {})
        report = self.emulator.responses[scheduled]
        self.assertEqual(report["subscriptions"], 1, report)
        self.assertEqual(report["polled"], 1, report)
        self.assertEqual(report["poll_failures"], 1, report)
        self.assertEqual(report["mixed"], 0, report)
        answer = self.emulator.responses[shown]
        self.assertEqual(answer["statusCode"], 200, answer)
        subscription = json.loads(answer["body"])["subscription"]
        self.assertEqual(subscription["status"], "failing")
        self.assertEqual(subscription["last_poll"]["error"]["code"], "forbidden")


def multipart_upload(fields, filename, audio, boundary="namixboundary7d9"):
    """A multipart/form-data body as a browser sends it: (content type, body)."""
    parts = [
        b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" + name.encode()
        + b"\"\r\n\r\n" + value.encode() + b"\r\n"
        for name, value in fields.items()
    ]
    parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"file\"; "
                 b"filename=\"" + filename.encode() + b"\"\r\nContent-Type: audio/mpeg\r\n\r\n"
                 + audio + b"\r\n")
    parts.append(b"--" + boundary.encode() + b"--\r\n")
    return "multipart/form-data; boundary=" + boundary, b"".join(parts)


class RgwTestCase(unittest.TestCase):
    """Ceph RGW on loopback (scripts/rgw.sh) and a Runtime API emulator whose
    Invoke endpoint verifies signatures made with the RGW credentials."""

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="namix-lambda-s3-")
        self.rgw_dir = os.path.join(self.work, "rgw")
        started, self.env = rgw_cluster.start(self.rgw_dir, 30000, 39000)
        if started.returncode != 0:
            shutil.rmtree(self.work, ignore_errors=True)
        self.assertEqual(started.returncode, 0, started.stdout + started.stderr)
        self.emulator = RuntimeEmulator(invoke_secret=self.env["AWS_SECRET_ACCESS_KEY"]).start()

    def tearDown(self):
        rgw_cluster.kill(self.rgw_dir)
        self.emulator.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def make_episode(self, minutes):
        episode = os.path.join(self.work, "ep.mp3")
        subprocess.run([MAKE_EPISODE, episode, str(minutes)], check=True, capture_output=True,
                       timeout=300)
        with open(episode, "rb") as f:
            return f.read()


class LambdaS3MixTest(RgwTestCase):
    """A whole mix through `namix lambda` with S3 storage (Ceph RGW on loopback,
    scripts/rgw.sh): upload in the event, MP3 in the bucket, presigned link works."""

    def test_upload_mix_stored_in_s3_and_link_downloads(self):
        made = run_namix(["s3", "mb", "s3://namix-lambda"], self.env)
        self.assertEqual(made.returncode, 0, made.stderr)
        audio = self.make_episode(2)
        content_type, body = multipart_upload({"theme": "Best Of", "target_duration": "30"},
                                              "ep.mp3", audio)
        event = v2_event("POST", "/mix/professional", body, base64_body=True)
        event["headers"]["content-type"] = content_type
        rid = self.emulator.add_event(event, deadline_in_ms=120000)
        env = dict(self.env, AWS_LAMBDA_RUNTIME_API=self.emulator.address,
                   NAMIX_DATA_DIR=os.path.join(self.work, "data"), NAMIX_THEMES_DIR=THEMES_DIR)
        done = run_namix(["lambda", "--storage", "s3://namix-lambda/prod", "--max-invocations", "1"],
                         env, timeout=180)
        self.assertEqual(done.returncode, 0, done.stderr)
        response = self.emulator.responses[rid]
        self.assertEqual(response["statusCode"], 200, response)
        result = json.loads(response["body"])
        self.assertEqual(result["status"], "success")
        download = result["download"]
        self.assertEqual(download["bucket"], "namix-lambda")
        self.assertTrue(download["s3_key"].startswith("mixes/"), download)
        self.assertTrue(download["url"].startswith(self.env["NAMIX_S3_ENDPOINT"] + "/namix-lambda/prod/"),
                        download["url"])
        self.assertIn("X-Amz-Signature=", download["url"])
        with urllib.request.urlopen(download["url"], timeout=30) as fetched:
            self.assertEqual(fetched.status, 200)
            mp3 = fetched.read()
        self.assertEqual(len(mp3), result["mix_metadata"]["file_size_bytes"])
        self.assertTrue(mp3[:3] == b"ID3" or mp3[0] == 0xFF, mp3[:4])


class LambdaS3JobTest(RgwTestCase):
    """POST /mix/jobs on Lambda: the order and the upload go to S3, the work
    to a signed asynchronous Invoke of the same function; that invocation's
    event runs the mix in another `namix lambda` process, and GET
    /mix/jobs/{id} reads the outcome from S3."""

    FUNCTION = "namix-prod-api"

    def lambda_env(self):
        return dict(self.env, AWS_LAMBDA_RUNTIME_API=self.emulator.address,
                    AWS_LAMBDA_FUNCTION_NAME=self.FUNCTION,
                    NAMIX_LAMBDA_ENDPOINT="http://" + self.emulator.address,
                    NAMIX_DATA_DIR=os.path.join(self.work, "data"), NAMIX_THEMES_DIR=THEMES_DIR)

    def run_lambda(self, invocations):
        done = run_namix(["lambda", "--storage", "s3://namix-jobs/prod", "--max-invocations",
                          str(invocations)], self.lambda_env(), timeout=180)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done

    def s3_keys(self, prefix):
        listed = run_namix(["s3", "ls", "s3://namix-jobs/prod/" + prefix], self.env)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        return [line.split()[-1] for line in listed.stdout.splitlines() if line.strip()]

    def post_job(self, audio):
        content_type, body = multipart_upload(
            {"theme": "Best Of", "target_duration": "20", "session_id": "sess-lambda-job"},
            "ep.mp3", audio)
        event = v2_event("POST", "/mix/jobs", body, base64_body=True)
        event["headers"]["content-type"] = content_type
        rid = self.emulator.add_event(event)
        self.run_lambda(1)
        return self.emulator.responses[rid]

    def get_job(self, job_id):
        rid = self.emulator.add_event(v2_event("GET", "/mix/jobs/" + job_id))
        self.run_lambda(1)
        response = self.emulator.responses[rid]
        self.assertEqual(response["statusCode"], 200, response)
        return json.loads(response["body"])

    def test_job_is_handed_off_run_by_its_event_and_polled_from_s3(self):
        made = run_namix(["s3", "mb", "s3://namix-jobs"], self.env)
        self.assertEqual(made.returncode, 0, made.stderr)
        # 1 minute (~1.4 MB): far over the 256 KB async payload cap, so the
        # upload can only travel through S3.
        audio = self.make_episode(1)
        self.assertGreater(len(audio), 256 * 1024)

        accepted = self.post_job(audio)
        self.assertEqual(accepted["statusCode"], 202, accepted)
        job_id = json.loads(accepted["body"])["job_id"]
        self.assertEqual(self.emulator.rejected_invocations, [])
        self.assertEqual(len(self.emulator.invocations), 1)
        call = self.emulator.invocations[0]
        self.assertEqual(call["invocation_type"], "Event")
        self.assertEqual(call["path"], "/2015-03-31/functions/%s/invocations" % self.FUNCTION)
        payload = json.loads(call["payload"])
        self.assertEqual(payload, {"namix_job": {"job_id": job_id}})
        self.assertLess(len(call["payload"]), 256 * 1024)
        self.assertEqual(self.s3_keys("temp/uploads/"), ["prod/temp/uploads/" + job_id])

        # Before the job's invocation runs, any instance sees it queued; the
        # stored order stays internal.
        queued = self.get_job(job_id)
        self.assertEqual(queued["state"], "queued", queued)
        self.assertEqual(queued["source"], "upload:ep.mp3")
        self.assertNotIn("order", queued)

        # Lambda delivers the queued invocation as an event: a fresh process runs it.
        job_rid = self.emulator.add_event(payload, deadline_in_ms=170000)
        self.run_lambda(1)
        self.assertEqual(self.emulator.errors, {})
        self.assertEqual(self.emulator.responses[job_rid], {"status": "done"})
        self.assertEqual(self.s3_keys("temp/uploads/"), [])

        done = self.get_job(job_id)
        self.assertEqual(done["state"], "done", done)
        self.assertEqual(done["progress"], 1.0)
        self.assertEqual(done["session_id"], "sess-lambda-job")
        result = done["result"]
        self.assertEqual(result["status"], "success")
        self.assertEqual(result["mix_id"], job_id)
        self.assertTrue(result["download"]["url"].startswith(
            self.env["NAMIX_S3_ENDPOINT"] + "/namix-jobs/prod/"), result["download"]["url"])
        with urllib.request.urlopen(result["download"]["url"], timeout=30) as fetched:
            self.assertEqual(fetched.status, 200)
            mp3 = fetched.read()
        self.assertEqual(len(mp3), result["mix_metadata"]["file_size_bytes"])
        self.assertTrue(mp3[:3] == b"ID3" or mp3[0] == 0xFF, mp3[:4])

        # A second delivery of the same event (async invokes are at least
        # once) leaves the finished job alone.
        again = self.emulator.add_event(payload)
        self.run_lambda(1)
        self.assertEqual(self.emulator.responses[again], {"status": "done"})
        self.assertEqual(self.get_job(job_id)["result"]["download"]["s3_key"],
                         result["download"]["s3_key"])

        # Events that name no job of ours fail their invocation.
        unknown = self.emulator.add_event({"namix_job": {"job_id": "20260101T000000Z-deadbeef"}})
        malformed = self.emulator.add_event({"namix_job": {"job_id": "../../jobs/x"}})
        untyped = self.emulator.add_event({"namix_job": {"job": 7}})
        self.run_lambda(3)
        for rid in (unknown, malformed, untyped):
            self.assertEqual(self.emulator.errors[rid]["type"], "Runtime.JobFailed")
        self.assertIn("no job 20260101T000000Z-deadbeef",
                      self.emulator.errors[unknown]["body"]["errorMessage"])
        self.assertIn("job_id", self.emulator.errors[untyped]["body"]["errorMessage"])

        # The Invoke API refusing (here: a signature made with another
        # secret) fails the job at once: 503, job failed, no upload left.
        self.emulator.invoke_secret = "not-the-rgw-secret"
        refused = self.post_job(audio)
        self.assertEqual(refused["statusCode"], 503, refused)
        self.assertIn("could not start the job", json.loads(refused["body"])["error"]["message"])
        self.assertEqual(len(self.emulator.rejected_invocations), 1)
        failed_id = json.loads(self.emulator.rejected_invocations[0]["payload"])["namix_job"]["job_id"]
        failed = self.get_job(failed_id)
        self.assertEqual(failed["state"], "failed", failed)
        self.assertEqual(failed["error"]["error"]["code"], "unavailable")
        self.assertEqual(self.s3_keys("temp/uploads/"), [])


class ShowAndReceiver:
    """A show's feed with one episode, and a webhook receiver that checks
    each signature, on one loopback server."""

    SECRET = "whsec-lambda-test-0123456789"

    def __init__(self, audio):
        self.deliveries = []
        show = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                base = "http://127.0.0.1:%d" % self.server.server_address[1]
                if self.path == "/feed.xml":
                    body = ("<?xml version='1.0'?><rss version='2.0' "
                            "xmlns:itunes='http://www.itunes.com/dtds/podcast-1.0.dtd'><channel>"
                            "<title>Lambda Show</title><link>%s/</link><description>d</description>"
                            "<item><title>Episode 7</title><guid isPermaLink='false'>ls-7</guid>"
                            "<pubDate>Sat, 05 Dec 2026 04:00:00 GMT</pubDate>"
                            "<itunes:episode>7</itunes:episode><enclosure url='%s/ep7.mp3' "
                            "length='%d' type='audio/mpeg'/></item></channel></rss>"
                            % (base, base, len(audio))).encode()
                    ctype = "application/rss+xml"
                elif self.path == "/ep7.mp3":
                    body, ctype = audio, "audio/mpeg"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                show.deliveries.append({
                    "verified": webhook_signature.is_verified(
                        show.SECRET, self.headers.get("X-Namix-Signature", ""), body),
                    "event": self.headers.get("X-Namix-Event"), "body": json.loads(body)})
                self.send_response(204)
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class LambdaScheduledMixTest(RgwTestCase):
    """A show followed on AWS: each EventBridge tick is one `namix lambda`
    invocation (a fresh process, as a cold start is) that polls the feed,
    mixes a new episode into the bucket, publishes it in namix's podcast
    feed and delivers its webhook. The feed and the receiver are on
    loopback, so the function runs with NAMIX_ALLOW_PRIVATE_URLS."""

    PUBLIC_URL = "https://api.example.com"

    def test_a_scheduled_tick_mixes_a_new_episode_once_into_s3(self):
        made = run_namix(["s3", "mb", "s3://namix-follow"], self.env)
        self.assertEqual(made.returncode, 0, made.stderr)
        show = ShowAndReceiver(self.make_episode(1))
        self.addCleanup(show.close)
        subscriptions = os.path.join(self.work, "subscriptions.toml")
        with open(subscriptions, "w") as f:
            f.write('[[subscription]]\nid = "show"\nfeed_url = "%s/feed.xml"\n'
                    'poll_interval = "1s"\n'
                    'outputs = [ { theme = "Best Of", duration = 20 } ]\n'
                    'webhooks = [ { url = "%s/hook", secret = "%s" } ]\n'
                    % (show.base, show.base, show.SECRET))
        env = dict(self.env, AWS_LAMBDA_RUNTIME_API=self.emulator.address,
                   NAMIX_DATA_DIR=os.path.join(self.work, "data"), NAMIX_THEMES_DIR=THEMES_DIR,
                   NAMIX_SUBSCRIPTIONS_FILE=subscriptions, NAMIX_PUBLIC_URL=self.PUBLIC_URL,
                   NAMIX_ALLOW_PRIVATE_URLS="1", NAMIX_MIN_POLL_INTERVAL_S="1")

        # The schedule's function has 900 s (deploy/serverless.yml); a mix
        # starts only while five minutes are left.
        def invoke(event, deadline_in_ms=900000):
            rid = self.emulator.add_event(event, deadline_in_ms=deadline_in_ms)
            done = run_namix(["lambda", "--storage", "s3://namix-follow/prod",
                              "--max-invocations", "1"], env, timeout=180)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(self.emulator.errors, {})
            return self.emulator.responses[rid]

        report = invoke(SCHEDULED_EVENT)
        self.assertEqual((report["polled"], report["poll_failures"], report["mixed"]), (1, 0, 1),
                         report)
        listed = run_namix(["s3", "ls", "s3://namix-follow/prod/mixes/"], self.env)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        mp3s = [line.split()[-1] for line in listed.stdout.splitlines() if line.endswith(".mp3")]
        self.assertEqual(len(mp3s), 1, listed.stdout)
        self.assertIn("/7/", mp3s[0])

        # The webhook went out in the same tick, signed.
        self.assertEqual(len(show.deliveries), 1, show.deliveries)
        self.assertTrue(show.deliveries[0]["verified"])
        self.assertEqual(show.deliveries[0]["event"], "mix.finished")
        self.assertEqual(show.deliveries[0]["body"]["item"]["guid"], "ls-7")

        # namix's podcast feed, as an app reads it through API Gateway.
        answer = invoke(v2_event("GET", "/feeds/show/best-of.xml"))
        self.assertEqual(answer["statusCode"], 200, answer)
        xml = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else \
            answer["body"].encode()
        items = ET.fromstring(xml).findall("./channel/item")
        self.assertEqual(len(items), 1)
        self.assertIn("Episode 7", items[0].findtext("title"))
        enclosure = items[0].find("enclosure")
        self.assertTrue(enclosure.get("url").startswith(self.PUBLIC_URL + "/published/show/"),
                        enclosure.get("url"))
        self.assertNotIn("X-Amz-Signature", xml.decode())
        # Its stable link redirects to a fresh presigned one on RGW.
        redirect = invoke(v2_event("GET", enclosure.get("url")[len(self.PUBLIC_URL):]))
        self.assertEqual(redirect["statusCode"], 302, redirect)
        location = redirect["headers"]["Location"]
        self.assertTrue(location.startswith(self.env["NAMIX_S3_ENDPOINT"] + "/namix-follow/prod/"),
                        location)
        with urllib.request.urlopen(location, timeout=30) as fetched:
            mp3 = fetched.read()
        self.assertEqual(len(mp3), int(enclosure.get("length")))
        self.assertTrue(mp3[:3] == b"ID3" or mp3[0] == 0xFF, mp3[:4])

        # The next tick, in another process, reads the feed again and finds
        # nothing new (its poll interval, 1 s and a tenth of jitter, has passed).
        time.sleep(1.2)
        report = invoke(SCHEDULED_EVENT)
        self.assertEqual((report["polled"], report["mixed"]), (1, 0), report)
        listed = run_namix(["s3", "ls", "s3://namix-follow/prod/mixes/"], self.env)
        self.assertEqual(len([line for line in listed.stdout.splitlines()
                              if line.endswith(".mp3")]), 1, listed.stdout)
        self.assertEqual(len(show.deliveries), 1)


class LambdaInvokeTest(unittest.TestCase):
    """`namix lambda invoke`: the Invoke API call the /mix/jobs hand-off
    uses, with a SigV4 signature the emulator recomputes independently."""

    def setUp(self):
        self.emulator = RuntimeEmulator(invoke_secret="emulatorSecret/Key+1").start()

    def tearDown(self):
        self.emulator.stop()

    def invoke(self, secret, function="namix-prod-api", token=None):
        env = {
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_REGION": "eu-west-1",
            "NAMIX_LAMBDA_ENDPOINT": "http://" + self.emulator.address,
        }
        if token:
            env["AWS_SESSION_TOKEN"] = token
        payload = json.dumps({"namix_job": {"job_id": "20261129T132400Z-1a2b3c4d"}})
        return run_namix(["lambda", "invoke", function, "--payload", payload], env), payload

    def test_signed_event_invocation_is_accepted(self):
        done, payload = self.invoke("emulatorSecret/Key+1", token="FQoGZXIvYXdzE//token+=")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(len(self.emulator.invocations), 1)
        call = self.emulator.invocations[0]
        self.assertEqual(call["invocation_type"], "Event")
        self.assertEqual(call["path"], "/2015-03-31/functions/namix-prod-api/invocations")
        self.assertEqual(call["payload"], payload)

    def test_function_arn_is_encoded_and_signed(self):
        arn = "arn:aws:lambda:eu-west-1:123456789012:function:namix-prod-api"
        done, _ = self.invoke("emulatorSecret/Key+1", function=arn)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(self.emulator.invocations[0]["path"],
                         "/2015-03-31/functions/" + arn.replace(":", "%3A") + "/invocations")

    def test_wrong_secret_is_refused_with_forbidden_exit_code(self):
        done, _ = self.invoke("not-the-secret")
        self.assertEqual(done.returncode, 6, done.stderr)  # kExitNetwork: forbidden
        self.assertIn("403", done.stderr)
        self.assertEqual(self.emulator.rejected_invocations[0]["reason"], "signature mismatch")


if __name__ == "__main__":
    if "--namix" in sys.argv:
        i = sys.argv.index("--namix")
        NAMIX = os.path.abspath(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    if not NAMIX or not os.access(NAMIX, os.X_OK):
        sys.exit("usage: test_lambda_runtime.py --namix PATH_TO_NAMIX")
    unittest.main(verbosity=2)
