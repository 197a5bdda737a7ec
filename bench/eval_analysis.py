#!/usr/bin/env python3
"""Scores `namix analyze EPISODE --json` against a make_episode.py manifest.

    eval_analysis.py EPISODE.mp3 [--manifest EPISODE.json] [--namix build/src/app/namix]
    eval_analysis.py --analysis analysis.json --manifest EPISODE.json

Prints, for one episode:
  pause precision   share of detected pauses lying wholly outside every manifest
                    utterance (a cut anywhere in them cuts no word); target >= 0.98
  gap recall        share of manifest gaps >= 0.3 s that hold a detected pause
  boundary error    median / 95th percentile of |detected - true| pause edges (ms)
  utterance recall  share of manifest utterances overlapped >= 50 % by detected ones
  block kinds       per manifest kind, the share of its time labelled with each
                    detected kind (opener and outro count as banter)
  speaker accuracy  host utterances whose detected speaker matches (0 = A, 1 = B)
Python 3 standard library only.
"""
import argparse
import bisect
import json
import os
import subprocess
import sys

KIND_MAP = {"opener": "banter", "outro": "banter"}
KINDS = ["banter", "rant", "clip", "donation", "jingle", "music"]


def load_analysis(args):
    if args.analysis:
        with open(args.analysis) as f:
            return json.load(f)
    out = subprocess.run([args.namix, "analyze", args.episode, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def pause_scores(ana, man):
    utts = sorted((u["start"], u["end"]) for u in man["utterances"])
    starts = [u[0] for u in utts]

    def inside_any(a, b):
        # Any manifest utterance overlapping [a, b]?
        k = bisect.bisect_right(starts, b)
        for s, e in utts[max(0, k - 50):k]:
            if e > a and s < b:
                return True
        return False

    pauses = ana["pauses"]
    clean = sum(1 for p in pauses if not inside_any(p["start"], p["end"]))
    gaps = [(utts[i][1], utts[i + 1][0]) for i in range(len(utts) - 1)
            if utts[i + 1][0] - utts[i][1] >= 0.3]
    pst = [p["start"] for p in pauses]
    found = 0
    errors = []
    for a, b in gaps:
        k = bisect.bisect_right(pst, b)
        hit = [p for p in pauses[max(0, k - 3):k] if p["end"] > a and p["start"] < b]
        if hit:
            found += 1
            p = max(hit, key=lambda p: min(b, p["end"]) - max(a, p["start"]))
            errors += [abs(p["start"] - a) * 1000.0, abs(p["end"] - b) * 1000.0]
    errors.sort()
    pct = lambda q: errors[min(len(errors) - 1, int(q * len(errors)))] if errors else float("nan")
    return {"pauses": len(pauses), "pause_precision": clean / max(1, len(pauses)),
            "gaps_0_3": len(gaps), "gap_recall": found / max(1, len(gaps)),
            "boundary_err_ms_median": pct(0.5), "boundary_err_ms_p95": pct(0.95)}


def utterance_recall(ana, man):
    det = sorted((u["start"], u["end"]) for u in ana["utterances"])
    ds = [d[0] for d in det]
    hit = 0
    for u in man["utterances"]:
        k = bisect.bisect_right(ds, u["end"])
        cover = sum(max(0.0, min(u["end"], e) - max(u["start"], s)) for s, e in det[max(0, k - 20):k])
        hit += cover >= 0.5 * (u["end"] - u["start"])
    return hit / max(1, len(man["utterances"]))


def block_confusion(ana, man, step=0.05):
    blocks = sorted(ana["blocks"], key=lambda b: b["start"])
    bs = [b["start"] for b in blocks]

    def detected_kind(t):
        k = bisect.bisect_right(bs, t) - 1
        if k >= 0 and blocks[k]["end"] >= t:
            return blocks[k]["kind"]
        return "none"

    # Time is sampled inside manifest utterances only: gaps belong to no kind.
    table = {}
    utts = sorted(man["utterances"], key=lambda u: u["start"])
    mb = sorted(man["blocks"], key=lambda b: b["start"])
    mbs = [b["start"] for b in mb]
    for u in utts:
        t = u["start"] + step / 2
        while t < u["end"]:
            k = bisect.bisect_right(mbs, t) - 1
            truth = KIND_MAP.get(mb[k]["kind"], mb[k]["kind"]) if k >= 0 else "none"
            row = table.setdefault(truth, {})
            d = detected_kind(t)
            row[d] = row.get(d, 0.0) + step
            t += step
    out = {}
    for truth, row in table.items():
        total = sum(row.values())
        out[truth] = {k: round(v / total, 3) for k, v in sorted(row.items(), key=lambda kv: -kv[1])}
    return out


def speaker_accuracy(ana, man):
    det = sorted(ana["utterances"], key=lambda u: u["start"])
    ds = [d["start"] for d in det]
    pairs = []
    for u in man["utterances"]:
        if u["speaker"] not in ("A", "B"):
            continue
        k = bisect.bisect_right(ds, u["end"])
        best, overlap = None, 0.0
        for d in det[max(0, k - 20):k]:
            o = min(u["end"], d["end"]) - max(u["start"], d["start"])
            if o > overlap:
                best, overlap = d, o
        if best is not None:
            pairs.append((u["speaker"], best["speaker"]))
    if not pairs:
        return {"speaker_accuracy": float("nan")}
    direct = sum(1 for t, d in pairs if (t == "A" and d == 0) or (t == "B" and d == 1)) / len(pairs)
    swapped = sum(1 for t, d in pairs if (t == "A" and d == 1) or (t == "B" and d == 0)) / len(pairs)
    return {"speaker_accuracy": direct, "speaker_accuracy_any_order": max(direct, swapped),
            "host_utterances": len(pairs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("episode", nargs="?")
    ap.add_argument("--manifest")
    ap.add_argument("--analysis", help="use this analysis JSON instead of running namix")
    ap.add_argument("--namix", default=os.environ.get("NAMIX", "build/src/app/namix"))
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = ap.parse_args()
    if not args.manifest:
        if not args.episode:
            ap.error("give an episode or --manifest")
        args.manifest = os.path.splitext(args.episode)[0] + ".json"
    with open(args.manifest) as f:
        man = json.load(f)
    ana = load_analysis(args)
    scores = pause_scores(ana, man)
    scores["utterance_recall"] = utterance_recall(ana, man)
    scores.update(speaker_accuracy(ana, man))
    scores["block_kinds"] = block_confusion(ana, man)
    if args.json:
        print(json.dumps(scores, indent=1))
        return
    for k, v in scores.items():
        if k == "block_kinds":
            continue
        print(f"{k:28s} {v:.3f}" if isinstance(v, float) else f"{k:28s} {v}")
    print("block kinds (manifest kind: share of its time per detected kind)")
    for truth in KINDS + sorted(set(scores["block_kinds"]) - set(KINDS)):
        row = scores["block_kinds"].get(truth)
        if row:
            cells = ", ".join(f"{k} {v:.2f}" for k, v in row.items())
            print(f"  {truth:9s} correct {row.get(truth, 0.0):.2f}  ({cells})")


if __name__ == "__main__":
    sys.exit(main())
