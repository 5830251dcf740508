#!/usr/bin/env python3
"""Benchmark the BCE engine against the floor: a bare pandas read of the same CSVs.

A synthetic extract of the requested size (national by default: 1.94 M enterprises)
is generated once with ``bce_synth`` and cached outside the repository, with its
next update. Each measure runs in a fresh child process so that its peak RSS is
its own.

    python3 scripts/benchmark_engine.py                    # national size
    python3 scripts/benchmark_engine.py --enterprises 100000
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO / "rgpd_prospection", REPO / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

NATIONAL = 1_940_000
CACHE = Path.home() / ".cache" / "rgpd_prospection"
TARGETS = "targets: full <= 180 s, <= 1.5 GB peak RSS, <= 2x the bare read; update < 2 s"


def extracts(enterprises, cache):
    """(full zip, update zip), generated on first use."""
    import bce_synth

    folder = cache / f"bench_{enterprises}"
    full = folder / "full.zip"
    if not full.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating a full extract of {enterprises:,} enterprises in {folder} …")
        bce_synth.generate_full(folder / "full.tmp.zip", enterprises=enterprises, seed=1).rename(
            full
        )
    updates = sorted((folder / "update").glob("*_Update.zip"))
    if not updates:
        print("generating the next update …")
        update, _later = bce_synth.generate_update(full, folder / "update", seed=2)
    else:
        update = updates[0]
    return full, update


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_bare(full):
    """The floor: every CSV of the ZIP through pandas, all columns as text, chunked."""
    import pandas as pd

    start = time.perf_counter()
    rows = 0
    with zipfile.ZipFile(full) as archive:
        for name in archive.namelist():
            with archive.open(name) as stream:
                for chunk in pd.read_csv(stream, dtype=str, chunksize=1_000_000):
                    rows += len(chunk)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def measure_engine(full):
    from bce_engine import read_full_extract

    start = time.perf_counter()
    result = read_full_extract(full)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    state = result.state
    started = time.perf_counter()
    size = len(state.to_bytes())
    return {
        "seconds": seconds,
        "read_peak_rss_mb": peak,
        "legal_persons": len(state),
        "activity_rows_kept": len(state.activities),
        "state_mb": size / 1e6,
        "state_save_seconds": time.perf_counter() - started,
        "drops": dict(result.drops),
    }


def measure_update(full, update):
    from bce_engine import LegalPersonState, Perimeter, apply_update_extract, read_full_extract

    state = LegalPersonState.from_bytes(read_full_extract(full).state.to_bytes())
    start = time.perf_counter()
    result = apply_update_extract(update, state)
    seconds = time.perf_counter() - start
    perimeter = Perimeter(postal_codes="1000-9999")
    started = time.perf_counter()
    changed = sum(1 for _company in result.companies(perimeter))
    return {
        "seconds": seconds,
        "companies_seconds": time.perf_counter() - started,
        "companies": changed,
        "created": len(result.created),
        "updated": len(result.updated),
        "stopped": len(result.stopped),
    }


def child(kind, full, update):
    if kind == "bare":
        report = measure_bare(full)
    elif kind == "engine":
        report = measure_engine(full)
    else:
        report = measure_update(full, update)
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


def run_child(kind, full, update):
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(full), str(update)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=NATIONAL)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FULL", "UPDATE"), help="internal")
    args = parser.parse_args()
    if args.child:
        kind, full, update = args.child
        child(kind, Path(full), Path(update))
        return
    full, update = extracts(args.enterprises, args.cache)
    csv_mb = sum(info.file_size for info in zipfile.ZipFile(full).infolist()) / 1e6
    print(f"extract: {full} ({csv_mb:,.0f} MB of CSV)")
    bare = run_child("bare", full, update)
    print(f"bare pandas read : {bare['seconds']:7.1f} s  peak {bare['peak_rss_mb']:7.0f} MB")
    engine = run_child("engine", full, update)
    ratio = engine["seconds"] / bare["seconds"]
    print(
        f"read_full_extract: {engine['seconds']:7.1f} s  peak {engine['read_peak_rss_mb']:7.0f} MB"
        f"  ({ratio:.2f}x the bare read; {engine['legal_persons']:,} legal persons)"
    )
    print(
        f"state to_bytes   : {engine['state_save_seconds']:7.1f} s  peak "
        f"{engine['peak_rss_mb']:7.0f} MB  ({engine['state_mb']:.0f} MB)"
    )
    upd = run_child("update", full, update)
    print(
        f"apply_update     : {upd['seconds']:7.2f} s  ({upd['created']} created, "
        f"{upd['updated']} updated, {upd['stopped']} stopped; their {upd['companies']} "
        f"companies listed in {upd['companies_seconds']:.2f} s)"
    )
    print(TARGETS)


if __name__ == "__main__":
    main()
