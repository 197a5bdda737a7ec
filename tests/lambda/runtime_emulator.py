"""A Lambda Runtime API emulator (python3 stdlib only) for testing `namix lambda`.

Speaks the documented protocol (AWS Lambda Developer Guide, "Using the Lambda
runtime API for custom runtimes", API version 2018-06-01):

  GET  /2018-06-01/runtime/invocation/next            -> one queued event, with
       Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id
  POST /2018-06-01/runtime/invocation/{id}/response   -> 202
  POST /2018-06-01/runtime/invocation/{id}/error      -> 202 (Lambda-Runtime-Function-Error-Type)
  POST /2018-06-01/runtime/init/error                 -> 202

and, to test the asynchronous hand-off, the Invoke API endpoint

  POST /2015-03-31/functions/{name}/invocations       -> 202 when the SigV4
       signature (service "lambda") verifies against the configured secret, else 403.

Everything received is recorded for the test to assert on.
"""

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


def _sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def verify_sigv4(method, raw_path, headers, body, secret, service):
    """Recomputes the SigV4 signature of a request the way AWS does for
    non-S3 services (path segments encoded a second time, empty query).
    Returns (ok, reason)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "no SigV4 Authorization header"
    fields = dict(
        part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(",")
    )
    credential = fields["Credential"].split("/")
    _access_key, date, region, signed_service, terminator = credential
    if signed_service != service or terminator != "aws4_request":
        return False, "credential scope is %s" % fields["Credential"]
    signed_headers = fields["SignedHeaders"].split(";")
    canonical_headers = "".join(
        "%s:%s\n" % (name, " ".join(headers.get(name, "").split())) for name in signed_headers
    )
    canonical_uri = "/".join(
        urllib.parse.quote(segment, safe="-_.~") for segment in raw_path.split("/")
    )
    canonical = "\n".join(
        [
            method,
            canonical_uri,
            "",
            canonical_headers,
            fields["SignedHeaders"],
            hashlib.sha256(body).hexdigest(),
        ]
    )
    amz_date = headers.get("X-Amz-Date", "")
    scope = "/".join([date, region, service, "aws4_request"])
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _sign(("AWS4" + secret).encode("utf-8"), date)
    key = _sign(key, region)
    key = _sign(key, service)
    key = _sign(key, "aws4_request")
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["Signature"]):
        return False, "signature mismatch"
    return True, ""


class RuntimeEmulator:
    def __init__(self, events=(), invoke_secret="", function_arn="arn:aws:lambda:us-east-1:123456789012:function:namix"):
        self.lock = threading.Condition()
        self.queue = []  # (request_id, event_text, deadline_ms, trace_id)
        self.responses = {}  # request_id -> parsed JSON
        self.errors = {}  # request_id -> {"type": header, "body": parsed JSON}
        self.init_errors = []
        self.invocations = []  # Invoke API calls that verified
        self.rejected_invocations = []
        self.invoke_secret = invoke_secret
        self.function_arn = function_arn
        self.closed = False
        for event in events:
            self.add_event(event)
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self):
                length = int(self.headers.get("Content-Length", "0"))
                return self.rfile.read(length) if length else b""

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self._reply(404, b'{"errorMessage":"unknown path"}')
                item = emulator._take()
                if item is None:
                    return self._reply(410, b'{"errorMessage":"emulator closed"}')
                request_id, event, deadline_ms, trace_id = item
                headers = {
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                    "Lambda-Runtime-Invoked-Function-Arn": emulator.function_arn,
                    "Content-Type": "application/json",
                }
                if trace_id:
                    headers["Lambda-Runtime-Trace-Id"] = trace_id
                self._reply(200, event.encode("utf-8"), headers)

            def do_POST(self):
                body = self._body()
                path = self.path
                if path.startswith("/2015-03-31/functions/"):
                    return self._invoke(path, body)
                accepted = b'{"status":"OK"}'
                if path == PREFIX + "/init/error":
                    with emulator.lock:
                        emulator.init_errors.append(
                            {"type": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                             "body": json.loads(body or b"{}")}
                        )
                        emulator.lock.notify_all()
                    return self._reply(202, accepted)
                parts = path[len(PREFIX):].split("/")  # ['', 'invocation', id, kind]
                if len(parts) != 4 or parts[1] != "invocation":
                    return self._reply(404, b'{"errorMessage":"unknown path"}')
                request_id, kind = parts[2], parts[3]
                with emulator.lock:
                    if kind == "response":
                        emulator.responses[request_id] = json.loads(body)
                    elif kind == "error":
                        emulator.errors[request_id] = {
                            "type": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                            "body": json.loads(body or b"{}"),
                        }
                    else:
                        return self._reply(404, b'{"errorMessage":"unknown path"}')
                    emulator.lock.notify_all()
                self._reply(202, accepted)

            def _invoke(self, path, body):
                headers = {k: v for k, v in self.headers.items()}
                # Header names as sent; the verifier looks them up lower-cased.
                lowered = {k.lower(): v for k, v in headers.items()}
                lowered["Authorization"] = headers.get("Authorization", "")
                lowered["X-Amz-Date"] = headers.get("X-Amz-Date", "")
                ok, reason = verify_sigv4("POST", path, lowered, body, emulator.invoke_secret, "lambda")
                record = {
                    "path": path,
                    "invocation_type": headers.get("X-Amz-Invocation-Type"),
                    "payload": body.decode("utf-8"),
                    "reason": reason,
                }
                with emulator.lock:
                    (emulator.invocations if ok else emulator.rejected_invocations).append(record)
                if not ok:
                    return self._reply(403, json.dumps({"message": reason}).encode())
                self._reply(202, b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def add_event(self, event, deadline_in_ms=30000, trace_id=None):
        request_id = str(uuid.uuid4())
        text = event if isinstance(event, str) else json.dumps(event)
        trace = trace_id or "Root=1-%08x-%s;Parent=%s;Sampled=1" % (
            int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16])
        with self.lock:
            self.queue.append((request_id, text, deadline_in_ms, trace))
            self.lock.notify_all()
        return request_id

    def _take(self):
        with self.lock:
            while not self.queue and not self.closed:
                self.lock.wait(0.5)
            if self.closed and not self.queue:
                return None
            request_id, text, deadline_in_ms, trace = self.queue.pop(0)
            # Deadlines count from when the invocation is handed out.
            return request_id, text, int(time.time() * 1000) + deadline_in_ms, trace

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        self.server.shutdown()
        self.server.server_close()
