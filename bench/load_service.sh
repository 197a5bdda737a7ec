#!/usr/bin/env bash
# Load figures for `namix serve`, bounded in time:
#   1. /health latency and throughput with wrk at 200 connections;
#   2. mixes per minute with concurrent synchronous POST /mix/professional
#      requests on the ~140 s two-voice fixture of tests/service (30 s mixes).
#   or, with --soak SECONDS, instead of those two: mixed traffic for SECONDS
#      (bench/soak_service.py: health, history, jobs by URL and upload, bad
#      requests), with errors by class, p50/p99 per kind and the server's RSS,
#      which must not grow after the warm-up. The issue's soak is 600 s.
# Usage: bench/load_service.sh [--soak SECONDS] [namix binary] [seconds per phase]
# Env: CONNECTIONS (200), CLIENTS (4 concurrent mix requests), WORKERS (2), TARGET_S (30),
#      HTTP_THREADS (256, the server default).
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_S=""
if [ "${1:-}" = "--soak" ]; then
  SOAK_S=${2:?--soak needs a number of seconds}
  shift 2
fi
NAMIX=${1:-build/src/app/namix}
SECONDS_PER_PHASE=${2:-20}
CONNECTIONS=${CONNECTIONS:-200}
CLIENTS=${CLIENTS:-4}
WORKERS=${WORKERS:-2}
TARGET_S=${TARGET_S:-30}
HTTP_THREADS=${HTTP_THREADS:-256}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$NAMIX" ] || { echo "no namix binary at $NAMIX (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/namix-load.XXXXXX)
namix_pid=""
files_pid=""
# Stopped servers exit 143; under set -e that must not end the clean-up
# early nor become the script's exit status.
cleanup() {
  local pid
  for pid in $namix_pid $files_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# The same fixture the integration tests make (espeak-ng + lame).
episode=$(python3 -c "import sys; sys.path.insert(0, 'tests/service'); import service_test as t; print(t.make_fixture('$work'))")
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work" >"$work/files.log" 2>&1 &
files_pid=$!
for _ in $(seq 100); do
  files_port=$(grep -o 'port [0-9]*' "$work/files.log" | head -1 | cut -d' ' -f2 || true)
  [ -n "$files_port" ] && break
  sleep 0.1
done
"$NAMIX" serve --port 0 --port-file "$work/port" --data-dir "$work/data" --allow-private-urls \
  --workers "$WORKERS" --queue 64 --rate-per-minute 0 --http-threads "$HTTP_THREADS" \
  >"$work/emf.log" 2>"$work/requests.log" &
namix_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

if [ -n "$SOAK_S" ]; then
  echo "== soak: ${SOAK_S} s of mixed traffic, $WORKERS workers ($(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
  python3 bench/soak_service.py "$port" "$namix_pid" \
    "http://127.0.0.1:$files_port/$(basename "$episode")" "$episode" "$SOAK_S"
  exit $?
fi

echo "== /health: wrk, $CONNECTIONS connections, ${SECONDS_PER_PHASE} s, $HTTP_THREADS http threads ($(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" --timeout 10s --latency \
  "http://127.0.0.1:$port/health" >"$work/wrk.log"
sed -n '/Latency Distribution/,$p;/Thread Stats/,/Req\/Sec/p' "$work/wrk.log"
# The goal: p99 under 100 ms with no socket errors. All 200 connections open
# at once, so a short listen backlog shows here as SYN retries (1 s, 3 s).
python3 - "$work/wrk.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99_ms = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else float("nan")
errors = re.search(r"Socket errors:.*", text)
print("p99 %.2f ms (goal: under 100 ms): %s; socket errors: %s"
      % (p99_ms, "met" if p99_ms < 100 else "MISSED", errors.group(0)[15:] if errors else "none"))
PY

echo "== mixes: $CLIENTS concurrent clients, ${SECONDS_PER_PHASE} s, $WORKERS workers, ${TARGET_S} s Best Of from a $(python3 -c "import wave,sys; w=wave.open('$work/episode.wav'); print(round(w.getnframes()/w.getframerate()))") s episode"
python3 - "$port" "$files_port" "$(basename "$episode")" "$CLIENTS" "$SECONDS_PER_PHASE" "$TARGET_S" <<'PY'
import http.client, json, sys, threading, time
port, files_port, name, clients, seconds, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
body = json.dumps({"episode_url": "http://127.0.0.1:%s/%s" % (files_port, name),
                   "theme": "Best Of", "target_duration": target}).encode()
lock = threading.Lock()
done, failed, latencies = [], [], []
stop_at = time.time() + seconds
def client():
    while time.time() < stop_at:
        t0 = time.time()
        conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
        conn.request("POST", "/mix/professional", body, {"Content-Type": "application/json"})
        resp = conn.getresponse(); resp.read(); conn.close()
        with lock:
            (done if resp.status == 200 else failed).append(resp.status)
            if resp.status == 200: latencies.append(time.time() - t0)
started = time.time()
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.time() - started
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
print("mixes done %d, failed %d (%s) in %.1f s -> %.1f mixes/minute; latency p50 %.2f s, p95 %.2f s, max %.2f s"
      % (len(done), len(failed), sorted(set(failed)), elapsed, 60 * len(done) / elapsed,
         pct(0.5), pct(0.95), latencies[-1] if latencies else float("nan")))
PY
echo "== per-mix EMF (mean over mixes)"
python3 - "$work/emf.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = [l for l in lines if l.get("error_count") == 0]
if ok:
    for k in ("mix_ms", "fetch_ms", "decode_ms", "analysis_ms", "render_ms", "encode_ms", "store_ms"):
        print("  %-12s %8.1f" % (k, sum(l[k] for l in ok) / len(ok)))
PY
