"""What a failed or interrupted write must never leave in a data directory or
a local storage: partial files, empty mixes/{episode}/{theme}/ directories,
an MP3 without its result JSON, or anything in tmp/."""
import os


def leftovers(root):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        found += [os.path.join(rel, f) for f in filenames if ".part-" in f]
        if rel.startswith("mixes" + os.sep) and not dirnames and not filenames:
            found.append(rel + "/ (empty)")
        for f in filenames:
            if f.endswith(".mp3") and f[:-4] + ".json" not in filenames:
                found.append(os.path.join(rel, f) + " (no JSON)")
    tmp = os.path.join(root, "tmp")
    if os.path.isdir(tmp):
        found += [os.path.join("tmp", f) for f in os.listdir(tmp)]
    return found
