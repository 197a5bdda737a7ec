#!/usr/bin/env python3
"""Score a namix mix against the ground truth of a corpus episode.

    eval.py --manifest ep.json --result result.json --mix mix.mp3
    eval.py --all [--namix build/src/app/namix] [--corpus /work/corpus]
            [--episodes ep30_s2,ep60_s3] [--duration 90] [--out-dir DIR]
    eval.py --simulate [--analysed] --manifest ep.json --episode ep.mp3 --theme "Best Of"
            [--duration 90] [--select-tool build/bench/select_from_manifest]

--simulate selects with build/bench/select_from_manifest (on the
manifest's ground truth, or with --analysed on namix's own analysis of the
audio) and assembles the edit list with plain ffmpeg crossfades: it measures
selection and cutting before (or apart from) the real renderer; loudness,
true peak, host gap and HF columns then describe the unprocessed source.

The manifest comes from corpus/make_episode.py (blocks and every utterance's
exact bounds); the result is namix's result JSON (mix --json). Measured, one
table row per mix:

  theme      share of the mix's sound (utterance time) whose manifest kind is
             the theme's (Best Of: banter/rant/clip/opener; Media Meltdown:
             clip; Conspiracy Corner: rant; Donation Nation: donation;
             Musical Mayhem: music/jingle)
  vs_offer   theme share / the share the episode could offer at this length
             (min(1, theme material in the episode / mix duration)); a mix
             should reach >= 0.8
  cuts_ok    share of in/out points not strictly inside a manifest utterance
             (music and jingles exempt: crossfading music is not a cut word)
  host_gap   |level(host A) - level(host B)| in the mix, dB, over the
             manifest utterances of each host (mix time -> source time via
             the segments), 10 ms mean square on the decoded mix
  src_gap    the same measure on the same utterances of the source episode
             (what the leveller had to close; needs the episode audio)
  lufs, tp, lra   ffmpeg ebur128=peak=true: integrated, true peak, range
  hf9k       energy above 9 kHz relative to the whole, dB (8th-order HPF)
  dur        decoded duration (ffprobe), and its error against the target
  drawn      (last end_time - first start_time) / episode duration
  silence    longest run of 10 ms frames 20 dB or more under the mix's median
             frame (the noise floor between words), s

Needs python3 and ffmpeg/ffprobe only.
"""
import argparse
import array
import json
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import tomllib
except ImportError:  # python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

THEME_KINDS = {
    "best-of": {"banter", "rant", "clip", "opener"},
    "media-meltdown": {"clip"},
    "conspiracy-corner": {"rant"},
    "donation-nation": {"donation"},
    "musical-mayhem": {"music", "jingle"},
}
ALL_THEMES = ["Best Of", "Media Meltdown", "Conspiracy Corner", "Donation Nation",
              "Musical Mayhem"]
MUSIC_KINDS = {"music", "jingle"}
HOST_KINDS_EXCLUDED = {"clip", "music", "jingle"}
# The PCM used for host levels and silence: mono, 16 kHz is plenty for speech levels.
PCM_RATE = 16000
FRAME = PCM_RATE // 100  # 10 ms
# Silence: frames this far under the median 10 ms frame (which is speech or
# music: most of a mix is sound). Relative, because mastering lifts the
# noise floor with everything else.
SILENCE_BELOW_MEDIAN_DB = 20.0
# How far inside each utterance the host level is measured: keeps a small
# error in mapping mix time to source time out of the pauses.
UTTERANCE_MARGIN_S = 0.15

COLUMNS = [("episode", "%-9s"), ("theme", "%-17s"), ("dur", "%6.1f"), ("d_err", "%5.1f"),
           ("theme_sh", "%8.2f"), ("vs_offer", "%8.2f"), ("cuts_ok", "%7.2f"),
           ("host_gap", "%8.1f"), ("src_gap", "%7.1f"), ("lufs", "%6.1f"), ("tp", "%5.1f"), ("lra", "%4.1f"),
           ("hf9k", "%6.1f"), ("drawn", "%5.2f"), ("silence", "%7.2f"), ("segs", "%4d"),
           ("warn", "%4d"), ("verdict", "%s")]


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


# ---------------------------------------------------------------- audio ----

def probe(path):
    out = run(["ffprobe", "-v", "error", "-show_entries",
               "format=duration,bit_rate:stream=sample_rate,channels,codec_name",
               "-of", "json", path]).stdout
    info = json.loads(out)
    stream = info["streams"][0]
    return {"duration": float(info["format"]["duration"]),
            "bit_rate": int(info["format"].get("bit_rate", 0)),
            "sample_rate": int(stream.get("sample_rate", 0)),
            "channels": int(stream.get("channels", 0))}


def ebur128(path):
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af",
                          "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]

    def grab(label):
        m = re.search(label + r":\s+(-?[\d.]+|-inf)", summary)
        return float(m.group(1)) if m and m.group(1) != "-inf" else float("-inf")
    return {"lufs": grab("I"), "lra": grab("LRA"), "tp": grab("Peak")}


def mean_volume(path, filters=None):
    af = (filters + ",") if filters else ""
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af",
                          af + "volumedetect", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    m = re.search(r"mean_volume:\s+(-?[\d.]+) dB", err)
    return float(m.group(1)) if m else float("-inf")


def hf_share_db(path, cutoff_hz=9000):
    """Energy above cutoff_hz relative to all of it, in dB (four 2-pole HPFs)."""
    hp = ",".join(["highpass=f=%d:poles=2" % cutoff_hz] * 4)
    return mean_volume(path, hp) - mean_volume(path)


def decode_mono(path):
    raw = run(["ffmpeg", "-v", "error", "-i", path, "-ac", "1", "-ar", str(PCM_RATE),
               "-f", "s16le", "-"]).stdout
    pcm = array.array("h")
    pcm.frombytes(raw[: len(raw) // 2 * 2])
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm


def decode_range_mono(path, start, end):
    raw = run(["ffmpeg", "-v", "error", "-ss", "%.3f" % start, "-t", "%.3f" % (end - start),
               "-i", path, "-ac", "1", "-ar", str(PCM_RATE), "-f", "s16le", "-"]).stdout
    pcm = array.array("h")
    pcm.frombytes(raw[: len(raw) // 2 * 2])
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm


def frame_powers(pcm):
    """Mean square of each 10 ms frame, full scale = 1."""
    scale = 1.0 / (32768.0 * 32768.0)
    out = []
    for i in range(0, len(pcm) - FRAME + 1, FRAME):
        seg = pcm[i: i + FRAME]
        out.append(sum(x * x for x in seg) * scale / FRAME)
    return out


def longest_silence_s(powers):
    if not powers:
        return 0.0
    median = sorted(powers)[len(powers) // 2]
    floor = median * 10.0 ** (-SILENCE_BELOW_MEDIAN_DB / 10.0)
    longest = run_len = 0
    for p in powers:
        run_len = run_len + 1 if p < floor else 0
        longest = max(longest, run_len)
    return longest * FRAME / PCM_RATE


# ------------------------------------------------------ mix <-> source map --

def crossfade_of(result, theme_name, themes_dir):
    if "crossfade_s" in result:
        return float(result["crossfade_s"])
    path = os.path.join(themes_dir, slug(theme_name) + ".toml")
    if tomllib and os.path.exists(path):
        with open(path, "rb") as f:
            return float(tomllib.load(f).get("crossfade_s", 0.3))
    return 1.5 if slug(theme_name) == "musical-mayhem" else 0.3


def segment_pieces(result, manifest, crossfade, mix_duration):
    """[(src_start, src_end, mix_start)] for every continuous stretch of source in the mix.

    Crossfades are centred on the cut points, so joins take no mix time and
    a segment lasts from its mix_start to the next one's. Pauses the renderer
    shortened inside a segment come from the segment's "dropped" list when the
    result has it; otherwise the missing time is put back into the segment's
    manifest pauses over 0.9 s, in proportion to their excess over 0.7 s.
    """
    segs = result["segments"]
    gaps = []
    utts = manifest["utterances"]
    for a, b in zip(utts, utts[1:]):
        gaps.append((a["end"], b["start"]))
    pieces = []
    for i, s in enumerate(segs):
        start, end, mix0 = float(s["start_time"]), float(s["end_time"]), float(s["mix_start"])
        if "dropped" in s:
            dropped = [(float(a), float(b)) for a, b in s["dropped"]]
        else:
            if i + 1 < len(segs):
                mix_len = float(segs[i + 1]["mix_start"]) - mix0
            else:
                mix_len = mix_duration - mix0
            missing = (end - start) - mix_len
            dropped = []
            if missing > 0.05:
                inner = [(a, b) for a, b in gaps if a > start and b < end and b - a > 0.9]
                excess = sum(b - a - 0.7 for a, b in inner)
                if excess > 0:
                    for a, b in inner:
                        cut = (b - a - 0.7) * missing / excess
                        mid = 0.5 * (a + b)
                        dropped.append((mid - cut / 2, mid + cut / 2))
        t, m = start, mix0
        for a, b in sorted(dropped):
            pieces.append((t, a, m))
            m += a - t
            t = b
        pieces.append((t, end, m))
    return pieces


# --------------------------------------------------------------- scoring ----

def host_energy(pieces, utts, crossfade, powers_at):
    """Mean power per host over their utterances; powers_at(piece_index, src_a, mix_a, t) -> frame."""
    energy = {"A": [0.0, 0], "B": [0.0, 0]}
    for k, (src_a, src_b, mix_a) in enumerate(pieces):
        for u in utts:
            if u["speaker"] not in energy or u["kind"] in HOST_KINDS_EXCLUDED:
                continue
            a = max(u["start"] + UTTERANCE_MARGIN_S, src_a + crossfade)
            b = min(u["end"] - UTTERANCE_MARGIN_S, src_b - crossfade)
            if b - a < 0.3:
                continue
            powers, fa = powers_at(k, a)
            _, fb = powers_at(k, b)
            for f in range(max(0, fa), min(len(powers), fb)):
                energy[u["speaker"]][0] += powers[f]
                energy[u["speaker"]][1] += 1
    return {h: 10 * math.log10(e / n) if n and e > 0 else None for h, (e, n) in energy.items()}


def gap_of(levels):
    if levels["A"] is None or levels["B"] is None:
        return float("nan")
    return abs(levels["A"] - levels["B"])


def score(manifest, result, mix_path, themes_dir=None, target=None, label=None, episode=None):
    themes_dir = themes_dir or os.path.join(REPO, "themes")
    meta = result.get("mix_metadata", {})
    theme_name = meta.get("theme", "")
    kinds = THEME_KINDS.get(slug(theme_name), set())
    if target is None:
        t = meta.get("duration_target")
        target = float(t) if isinstance(t, (int, float)) else None
    segs = result["segments"]
    utts = manifest["utterances"]
    episode_s = float(manifest["duration"])

    # Theme share over sound (utterance time), not pauses.
    in_mix = {}
    for s in segs:
        a, b = float(s["start_time"]), float(s["end_time"])
        for u in utts:
            o = min(b, u["end"]) - max(a, u["start"])
            if o > 0:
                in_mix[u["kind"]] = in_mix.get(u["kind"], 0.0) + o
    sound = sum(in_mix.values())
    theme_share = sum(v for k, v in in_mix.items() if k in kinds) / sound if sound else 0.0

    info = probe(mix_path)
    dur = info["duration"]
    offered = sum(b["end"] - b["start"] for b in manifest["blocks"] if b["kind"] in kinds)
    can_offer = min(1.0, offered / dur) if dur > 0 else 0.0
    vs_offer = theme_share / can_offer if can_offer > 0 else 0.0

    # Cut points strictly inside a non-music utterance cut a word.
    cuts = [float(s[k]) for s in segs for k in ("start_time", "end_time")]
    bad = 0
    for c in cuts:
        for u in utts:
            if u["start"] < c < u["end"] and u["kind"] not in MUSIC_KINDS:
                bad += 1
                break
    cuts_ok = 1.0 - bad / len(cuts) if cuts else 1.0

    # Host levels in the mix over each host's utterances.
    crossfade = crossfade_of(result, theme_name, themes_dir)
    pieces = segment_pieces(result, manifest, crossfade, dur)
    pcm = decode_mono(mix_path)
    powers = frame_powers(pcm)
    levels = host_energy(pieces, utts, crossfade,
                         lambda k, t: (powers, int((pieces[k][2] + t - pieces[k][0]) * 100)))
    host_gap = gap_of(levels)
    # The same utterances in the source: what the leveller had to close.
    src_gap = float("nan")
    if episode:
        src = [frame_powers(decode_range_mono(episode, a, b)) for a, b, _ in pieces]
        src_gap = gap_of(host_energy(pieces, utts, crossfade,
                                     lambda k, t: (src[k], int((t - pieces[k][0]) * 100))))

    loud = ebur128(mix_path)
    starts = [float(s["start_time"]) for s in segs]
    ends = [float(s["end_time"]) for s in segs]
    drawn = (max(ends) - min(starts)) / episode_s if segs else 0.0
    row = {
        "episode": label or os.path.splitext(os.path.basename(mix_path))[0],
        "theme": theme_name,
        "target": target,
        "dur": dur,
        "d_err": dur - target if target else 0.0,
        "theme_sh": theme_share,
        "offer_s": offered,
        "vs_offer": vs_offer,
        "cuts_ok": cuts_ok,
        "host_gap": host_gap,
        "host_levels_db": levels,
        "src_gap": src_gap,
        "lufs": loud["lufs"],
        "tp": loud["tp"],
        "lra": loud["lra"],
        "hf9k": hf_share_db(mix_path),
        "drawn": drawn,
        "silence": longest_silence_s(powers),
        "segs": len(segs),
        "warn": len(result.get("warnings", [])),
        "warnings": result.get("warnings", []),
        "bitrate_kbps": info["bit_rate"] // 1000,
        "sample_rate": info["sample_rate"],
        "channels": info["channels"],
    }
    row["verdict"] = verdict(row, slug(theme_name))
    return row


def verdict(row, theme_slug):
    """Checks a row against the bars a mix must clear; lists what missed."""
    miss = []
    if row["vs_offer"] < 0.8:
        miss.append("theme")
    if row["cuts_ok"] < 0.95:
        miss.append("cuts")
    if row["target"] and abs(row["d_err"]) > 1.5:
        miss.append("dur")
    if not abs(row["lufs"] + 16.0) <= 0.5:
        miss.append("lufs")
    if not row["tp"] <= -1.0:
        miss.append("tp")
    if theme_slug == "best-of" and row["drawn"] < 0.75:
        miss.append("drawn")
    # Only when both hosts are in the mix (a rant or a clip run may hold one or none).
    if theme_slug != "musical-mayhem" and row["host_gap"] > 2.0:
        miss.append("hosts")
    if row["silence"] > 1.2:
        miss.append("silence")
    return "ok" if not miss else "MISS:" + ",".join(miss)


def width(fmt):
    m = re.match(r"%-?(\d+)", fmt)
    return int(m.group(1)) if m else 0


def format_row(row):
    cells = []
    for name, fmt in COLUMNS:
        v = row[name]
        if isinstance(v, float) and math.isnan(v):
            cells.append("%*s" % (width(fmt), "n/a"))
        else:
            cells.append(fmt % v)
    return " ".join(cells)


def print_header():
    cells = []
    for name, fmt in COLUMNS:
        w = width(fmt)
        cells.append(("%-*s" if fmt.startswith("%-") or w == 0 else "%*s") % (w, name))
    print(" ".join(cells))


# ------------------------------------------------------------- simulate ----

def render_with_ffmpeg(episode, result, out_path, crossfade):
    """A plain ffmpeg assembly of an edit list (no processing chain), to check
    the scoring and the selection apart from the real renderer. Crossfades are
    centred on the cut points like namix's: each segment reads half a
    crossfade past its cuts, so the joins take no mix time."""
    segs = result["segments"]
    parts = []
    chains = []
    half = crossfade / 2.0
    for i, s in enumerate(segs):
        pieces = []
        t = float(s["start_time"]) - (half if i > 0 else 0.0)
        for a, b in sorted(s.get("dropped", [])):
            pieces.append((t, a))
            t = b
        pieces.append((t, float(s["end_time"]) + (half if i + 1 < len(segs) else 0.0)))
        labels = []
        for j, (a, b) in enumerate(pieces):
            lab = "p%d_%d" % (i, j)
            chains.append("[0:a]atrim=start=%.6f:end=%.6f,asetpts=PTS-STARTPTS[%s]" % (a, b, lab))
            labels.append("[%s]" % lab)
        if len(labels) > 1:
            chains.append("%sconcat=n=%d:v=0:a=1[s%d]" % ("".join(labels), len(labels), i))
        else:
            chains[-1] = chains[-1].rsplit("[", 1)[0] + "[s%d]" % i
        parts.append("s%d" % i)
    cur = parts[0]
    for i, p in enumerate(parts[1:], 1):
        out = "x%d" % i
        if crossfade > 0:
            chains.append("[%s][%s]acrossfade=d=%.6f:c1=qsin:c2=qsin[%s]" % (cur, p, crossfade, out))
        else:
            chains.append("[%s][%s]concat=n=2:v=0:a=1[%s]" % (cur, p, out))
        cur = out
    chains.append("[%s]anull[out]" % cur)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(";\n".join(chains))
        script = f.name
    try:
        run(["ffmpeg", "-v", "error", "-y", "-i", episode, "-filter_complex_script", script,
             "-map", "[out]", "-ar", "44100", "-ac", "2", "-b:a", "320k", out_path])
    finally:
        os.unlink(script)


# ------------------------------------------------------------------ main ----

def episodes_in(corpus, names):
    if names:
        return [n.strip() for n in names.split(",") if n.strip()]
    return sorted(os.path.splitext(f)[0] for f in os.listdir(corpus)
                  if f.endswith(".json") and os.path.exists(os.path.join(corpus, f[:-5] + ".mp3")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest")
    ap.add_argument("--result")
    ap.add_argument("--mix")
    ap.add_argument("--label", help="episode name for the row")
    ap.add_argument("--themes-dir", default=os.path.join(REPO, "themes"))
    ap.add_argument("--all", action="store_true", help="mix every theme over several episodes")
    ap.add_argument("--simulate", action="store_true",
                    help="select on the manifest's ground truth and assemble with ffmpeg")
    ap.add_argument("--analysed", action="store_true",
                    help="with --simulate: select on namix's analysis of the audio, not on "
                    "the manifest's ground truth")
    ap.add_argument("--namix", default=os.path.join(REPO, "build/src/app/namix"))
    ap.add_argument("--select-tool",
                    default=os.path.join(REPO, "build/bench/select_from_manifest"))
    ap.add_argument("--corpus", default="/work/corpus")
    ap.add_argument("--episodes", help="comma-separated names in --corpus (default: all)")
    ap.add_argument("--episode", help="the episode audio (--simulate; with a single mix it adds "
                    "src_gap, the host gap of the same utterances in the source)")
    ap.add_argument("--theme", action="append", help="theme name (repeatable; default: all five)")
    ap.add_argument("--transcript-suffix",
                    help="with --simulate --analysed: select with the transcript beside each "
                    "episode, e.g. .srt (ep.srt beside ep.mp3)")
    ap.add_argument("--duration", default="90")
    ap.add_argument("--out-dir", default=None)
    ap.add_argument("--json", action="store_true", help="print rows as JSON lines too")
    args = ap.parse_args()

    if not (args.all or args.simulate):
        if not (args.manifest and args.result and args.mix):
            ap.error("give --manifest, --result and --mix (or --all / --simulate)")
        with open(args.manifest) as f:
            manifest = json.load(f)
        with open(args.result) as f:
            result = json.load(f)
        row = score(manifest, result, args.mix, args.themes_dir, label=args.label,
                    episode=args.episode)
        print_header()
        print(format_row(row))
        if args.json:
            print(json.dumps(row))
        return 0

    out_dir = args.out_dir or tempfile.mkdtemp(prefix="namix_eval_")
    os.makedirs(out_dir, exist_ok=True)
    themes = args.theme or ALL_THEMES
    if args.simulate and args.manifest:
        jobs = [(os.path.splitext(os.path.basename(args.manifest))[0], args.manifest,
                 args.episode or args.manifest[:-5] + ".mp3")]
    else:
        jobs = [(n, os.path.join(args.corpus, n + ".json"), os.path.join(args.corpus, n + ".mp3"))
                for n in episodes_in(args.corpus, args.episodes)]
    print_header()
    rows = []
    for name, manifest_path, audio in jobs:
        with open(manifest_path) as f:
            manifest = json.load(f)
        for theme in themes:
            stem = os.path.join(out_dir, "%s_%s" % (name, slug(theme)))
            mix, result_path = stem + ".mp3", stem + ".json"
            try:
                if args.simulate:
                    source = ["--audio", audio] if args.analysed else [manifest_path]
                    if args.analysed and args.transcript_suffix:
                        source += ["--transcript", audio[:-4] + args.transcript_suffix]
                    out = run([args.select_tool] + source + [theme, args.duration,
                                                             args.themes_dir]).stdout
                    with open(result_path, "wb") as f:
                        f.write(out)
                    result = json.loads(out)
                    render_with_ffmpeg(audio, result, mix,
                                       crossfade_of(result, theme, args.themes_dir))
                else:
                    run([args.namix, "mix", audio, "--theme", theme, "--duration", args.duration,
                         "--out", mix, "--json", result_path, "--quiet"])
                    with open(result_path) as f:
                        result = json.load(f)
            except subprocess.CalledProcessError as e:
                msg = (e.stderr or b"").decode(errors="replace").strip().splitlines()
                print("%-9s %-17s failed: %s" % (name, theme, msg[-1] if msg else e))
                continue
            target = None if args.duration == "full" else float(args.duration)
            row = score(manifest, result, mix, args.themes_dir, target=target, label=name,
                        episode=audio)
            rows.append(row)
            print(format_row(row), flush=True)
            if args.json:
                print(json.dumps(row))
    with open(os.path.join(out_dir, "eval.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print("mixes and results in %s" % out_dir, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
