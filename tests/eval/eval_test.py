#!/usr/bin/env python3
"""Checks bench/eval.py's scoring on a fixture it can compute by hand.

The fixture episode (60 s, written as WAV, encoded by ffmpeg to 44.1 kHz
stereo 320 kbps MP3): "host A"
utterances are 300 Hz tones at -20 dBFS RMS, "host B" 200 Hz at -27 dBFS,
a "clip" 1 kHz at -24 dBFS, separated by 0.6 s of silence, with a 2.0 s
pause inside block 2. The edit list cuts in the pauses except one out-point
placed inside an utterance on purpose; the mix is assembled by eval.py's
ffmpeg renderer with 0.3 s crossfades centred on the cuts.

Expected, by construction:
  host gap 7.0 dB (+-0.3: MP3 and the 0.15 s margins), src_gap the same;
  cuts_ok 7/8 (one of eight in/out points inside an utterance);
  theme share for Best Of 1.0 (banter and clip are both Best Of kinds), for
  Media Meltdown the clip's share of the mix's utterance time;
  drawn = (last end - first start) / 60; longest silence 0.7 s (the 2.0 s
  pause is dropped down to 0.7 s) within one 10 ms frame + MP3 smear.

With --select-tool PATH (bench/select_from_manifest), it also runs
eval.py --simulate on the fixture's ground truth: a 30 s Best Of lands
within 1.5 s, every cut in a pause, all of it Best Of material.
"""
import array
import json
import math
import os
import subprocess
import sys
import tempfile
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import eval as E  # noqa: E402

failures = []


def check(name, got, want, tol):
    ok = abs(got - want) <= tol
    print("%-28s got %8.3f want %8.3f +-%.3f %s" % (name, got, want, tol, "ok" if ok else "FAIL"))
    if not ok:
        failures.append(name)


def simulate(work, manifest, episode, select_tool):
    path = os.path.join(work, "fixture.json")
    with open(path, "w") as f:
        json.dump(manifest, f)
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "bench", "eval.py"),
                          "--simulate", "--manifest", path, "--episode", episode,
                          "--theme", "Best Of", "--duration", "30", "--select-tool", select_tool,
                          "--out-dir", os.path.join(work, "simulate"), "--json"],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if len(rows) != 1:
        print(out)
        failures.append("simulate: %d result rows, want 1" % len(rows))
        return
    row = rows[0]
    check("simulate duration", row["dur"], 30.0, 1.5)
    check("simulate cuts ok", row["cuts_ok"], 1.0, 1e-9)
    check("simulate theme share", row["theme_sh"], 1.0, 1e-9)


def main():
    select_tool = None
    if len(sys.argv) == 3 and sys.argv[1] == "--select-tool":
        select_tool = sys.argv[2]
    elif len(sys.argv) != 1:
        print("usage: eval_test.py [--select-tool PATH]")
        return 2
    work = tempfile.mkdtemp(prefix="namix_eval_test_")
    # (start, end, kind, speaker, freq, dbfs)
    plan = []
    t = 1.0
    blocks = []
    for b, (kind, spk, n) in enumerate([("banter", "AB", 6), ("banter", "AB", 6),
                                        ("clip", "clip", 3), ("banter", "AB", 6)]):
        b_start = t
        for i in range(n):
            who = spk if spk == "clip" else ("A" if i % 2 == 0 else "B")
            freq, db = {"A": (300, -20.0), "B": (200, -27.0), "clip": (1000, -24.0)}[who]
            plan.append((t, t + 2.0, kind, who, freq, db))
            t += 2.0
            t += 2.0 if (b == 1 and i == 2) else 0.6
        blocks.append({"start": b_start, "end": plan[-1][1], "kind": kind, "speaker": spk})
    duration = 60.0
    assert t < duration
    rate = 22050
    pcm = array.array("h", bytes(2 * int(duration * rate)))
    for a, b, _, _, f, d in plan:
        amp = 32767 * 10 ** (d / 20.0) * math.sqrt(2)  # a sine's RMS is peak/sqrt(2)
        for n in range(int(a * rate), int(b * rate)):
            pcm[n] = int(amp * math.sin(2 * math.pi * f * n / rate))
    wav = os.path.join(work, "episode.wav")
    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    episode = os.path.join(work, "episode.mp3")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", wav, "-ar", "44100", "-ac", "2",
                    "-b:a", "320k", episode], check=True)
    manifest = {"duration": duration, "blocks": blocks,
                "utterances": [{"start": a, "end": b, "kind": k, "speaker": s, "text": ""}
                               for a, b, k, s, _, _ in plan]}
    u = manifest["utterances"]

    def before(i):  # middle of the pause before utterance i
        return 0.5 * (u[i - 1]["end"] + u[i]["start"]) if i else 0.5
    def after(i):
        return 0.5 * (u[i]["end"] + u[i + 1]["start"]) if i + 1 < len(u) else u[i]["end"] + 0.3

    xf = 0.3
    # Segment 1: utterances 0-2; segment 2: 6-11 with the 2.0 s pause after
    # utterance 8 dropped to 0.7 s; segment 3: 12-14 (the clip) but its out
    # point 0.5 s inside utterance 14 (a cut word); segment 4: 18-20.
    segs = [(before(0), after(2), []),
            (before(6), after(11), [(u[8]["end"] + 0.35, u[9]["start"] - 0.35)]),
            (before(12), u[14]["end"] - 0.5, []),
            (before(18), after(20), [])]
    result = {"mix_metadata": {"theme": "Best Of", "duration_target": 40},
              "crossfade_s": xf, "segments": [], "warnings": []}
    mix_t = 0.0
    for a, b, dropped in segs:
        result["segments"].append({"start_time": a, "end_time": b, "mix_start": mix_t,
                                   "dropped": dropped, "kind": "banter"})
        # Crossfades are centred on the cuts: joins take no mix time.
        mix_t += (b - a) - sum(y - x for x, y in dropped)
    mix_duration = mix_t
    mix = os.path.join(work, "mix.mp3")
    E.render_with_ffmpeg(episode, result, mix, xf)

    row = E.score(manifest, result, mix, target=40.0, label="fixture", episode=episode)
    print(json.dumps({k: v for k, v in row.items() if k != "warnings"}, default=str))
    check("duration", row["dur"], mix_duration, 0.06)  # MP3 frame padding
    check("host gap dB", row["host_gap"], 7.0, 0.3)
    check("source host gap dB", row["src_gap"], 7.0, 0.3)
    check("cuts ok", row["cuts_ok"], 7.0 / 8.0, 1e-9)
    check("theme share Best Of", row["theme_sh"], 1.0, 1e-9)
    check("drawn", row["drawn"], (segs[-1][1] - segs[0][0]) / duration, 1e-9)
    check("longest silence s", row["silence"], 0.7, 0.08)

    # Same mix read as Media Meltdown: only the clip counts.
    result["mix_metadata"]["theme"] = "Media Meltdown"
    row = E.score(manifest, result, mix, target=40.0, label="fixture")
    sound = clip = 0.0
    for a, b, _ in segs:
        for x in u:
            o = min(b, x["end"]) - max(a, x["start"])
            if o > 0:
                sound += o
                clip += o if x["kind"] == "clip" else 0.0
    check("theme share Media Meltdown", row["theme_sh"], clip / sound, 1e-9)
    # The episode offers one 7.2 s clip block (3 x 2 s + 2 x 0.6 s) for a
    # ~38 s mix: vs_offer = share / (7.2 / duration).
    check("vs offer", row["vs_offer"], (clip / sound) / (7.2 / row["dur"]), 1e-6)

    # Without "dropped" in the result, eval.py infers the dropped pause from
    # the mix_start chain and still lands on the hosts.
    for s in result["segments"]:
        s.pop("dropped")
    result["mix_metadata"]["theme"] = "Best Of"
    row = E.score(manifest, result, mix, target=40.0, label="fixture")
    check("host gap, inferred drops", row["host_gap"], 7.0, 0.3)

    if select_tool:
        simulate(work, manifest, episode, select_tool)

    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
