#!/usr/bin/env python3
"""Benchmark the BCE engine against its floor: DuckDB unzipping the same extract and
running the same query (legal persons, their units, names, seats, contacts and
best activities).

A synthetic extract of the requested size (national by default: 1.94 M enterprises)
is generated once with ``bce_synth`` and cached outside the repository, with its
next update. Each measure runs in a fresh child process so that its peak RSS is
its own. DuckDB is needed by this benchmark only (``pip install duckdb``); the
add-on never imports it.

    python3 scripts/benchmark_engine.py                    # national size
    python3 scripts/benchmark_engine.py --enterprises 100000
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO / "rgpd_prospection", REPO / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

NATIONAL = 1_940_000
CACHE = Path.home() / ".cache" / "rgpd_prospection"
TARGETS = "targets: full <= 2x the DuckDB floor, <= 1 GB peak RSS; update < 2 s"

# What the engine computes, in SQL: the floor's query.
FLOOR_QUERY = """
CREATE TEMP TABLE legal AS SELECT EnterpriseNumber AS bce, JuridicalForm, JuridicalFormCAC,
    strptime(StartDate, '%d-%m-%Y') AS start_date FROM {enterprise} WHERE TypeOfEnterprise = '2';
CREATE TEMP TABLE units AS
    SELECT EstablishmentNumber AS unit, EnterpriseNumber AS bce FROM {establishment}
        WHERE EnterpriseNumber IN (SELECT bce FROM legal)
    UNION ALL SELECT Id, EnterpriseNumber FROM {branch}
        WHERE EnterpriseNumber IN (SELECT bce FROM legal);
CREATE TEMP TABLE known AS SELECT bce AS entity FROM legal UNION ALL SELECT unit FROM units;
CREATE TEMP TABLE names AS SELECT EntityNumber AS entity, Language, trim(Denomination) AS name
    FROM {denomination}
    WHERE TypeOfDenomination = '001' AND EntityNumber IN (SELECT bce FROM legal);
CREATE TEMP TABLE seats AS SELECT EntityNumber AS entity, Zipcode, MunicipalityFR,
    MunicipalityNL, CountryNL IS NOT NULL AS abroad FROM {address}
    WHERE TypeOfAddress = 'REGO' AND EntityNumber IN (SELECT bce FROM legal);
CREATE TEMP TABLE contacts AS SELECT DISTINCT EntityNumber AS entity, ContactType,
    lower(trim(Value)) AS value FROM {contact}
    WHERE ContactType IN ('EMAIL', 'TEL') AND EntityNumber IN (SELECT entity FROM known);
CREATE TEMP TABLE activities AS SELECT EntityNumber AS entity, NaceVersion, NaceCode,
    min(CASE Classification WHEN 'MAIN' THEN 0 WHEN 'SECO' THEN 1 ELSE 2 END) AS rank
    FROM {activity}
    WHERE NaceVersion <> '2003' AND EntityNumber IN (SELECT entity FROM known) GROUP BY ALL;
"""


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


def measure_floor(full):
    """The floor: unzip, then DuckDB's query of what the engine computes."""
    import duckdb

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(full).extractall(folder)
        unzipped = time.perf_counter() - start
        tables = {
            table: f"read_csv('{folder}/{table}.csv', header=true, all_varchar=true)"
            for table in ("enterprise", "establishment", "branch", "denomination", "address")
            + ("contact", "activity")
        }
        connection = duckdb.connect()
        connection.execute(FLOOR_QUERY.format(**tables))
        legal = connection.execute("SELECT count(*) FROM legal").fetchone()[0]
    return {"seconds": time.perf_counter() - start, "unzip_seconds": unzipped, "legal": legal}


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
    if kind == "floor":
        report = measure_floor(full)
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
    engine = run_child("engine", full, update)
    print(
        f"read_full_extract: {engine['seconds']:7.1f} s  peak {engine['read_peak_rss_mb']:7.0f} MB"
        f"  ({engine['legal_persons']:,} legal persons)"
    )
    try:
        floor = run_child("floor", full, update)
    except subprocess.CalledProcessError:
        print("DuckDB floor     : not measured (pip install duckdb)")
    else:
        print(
            f"DuckDB floor     : {floor['seconds']:7.1f} s  peak {floor['peak_rss_mb']:7.0f} MB"
            f"  (unzip {floor['unzip_seconds']:.1f} s; {floor['legal']:,} legal persons)"
        )
        print(
            f"engine / floor   : {engine['seconds'] / floor['seconds']:7.2f}x the time, "
            f"{engine['read_peak_rss_mb'] / floor['peak_rss_mb']:.2f}x the peak RSS"
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
