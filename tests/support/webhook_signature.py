"""A webhook receiver's check of namix's signature, as the README gives it:
X-Namix-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "UNIX_SECONDS." + body)).
A subscriber also refuses an old timestamp, so a captured delivery cannot be
replayed later."""
import hashlib
import hmac
import time

MAX_AGE_S = 300


def is_verified(secret, header, body, now_s=None):
    """True when `header` signs `body` with `secret` at a time within
    MAX_AGE_S of `now_s` (default: the clock)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        signed_at_s = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    now_s = time.time() if now_s is None else now_s
    return abs(now_s - signed_at_s) < MAX_AGE_S and hmac.compare_digest(expected, parts.get("v1", ""))
