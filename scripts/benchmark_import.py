"""Time the BCE import inside Odoo on generated extracts: a full, then its update.

Runs Odoo as a library against a database where ``rgpd_prospection`` is installed,
inside one transaction that is rolled back at the end, so the database is left as
it was. Use the Python of Odoo, e.g.::

    /opt/odoo18-venv/bin/python scripts/benchmark_import.py -d bench \\
        --db_host=/tmp/pgsock --db_port=5432 --addons-path=/opt/odoo18/addons,. \\
        --enterprises 50000

Prints the seconds of each step (start, engine, contacts) and contacts per second;
``--orm`` first times the same full extract with ORM ``create`` (then rolled back).
"""

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import bce_synth  # noqa: E402


def timed_steps(Import, label):
    """Run the pending import step by step, timing each step."""
    timings = {}
    while True:
        started = time.perf_counter()
        record = Import.run_pending_imports(max_steps=1)
        if not record:
            break
        step = {"running": "start", "ready": "engine", "done": "contacts"}.get(
            record.state, record.state
        )
        timings[step] = time.perf_counter() - started
        Import.env.flush_all()
        if record.state not in ("running", "ready"):
            break
    counts = record.read(["state", "count_kept", "count_created", "count_updated"])[0]
    total = sum(timings.values())
    written = counts["count_created"] + counts["count_updated"]
    rate = written / timings["contacts"] if timings.get("contacts") else 0
    print(
        f"{label}: {counts['state']}, {total:.1f} s in all "
        + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
        + f"; {counts['count_kept']} in perimeter, {counts['count_created']} created, "
        f"{counts['count_updated']} updated; {rate:,.0f} contacts/s",
        flush=True,
    )
    if counts["state"] != "done":
        raise SystemExit(f"{label} failed: {record.error_message}")
    return timings.get("contacts", 0.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--postal-codes", default="1000-9999")
    parser.add_argument(
        "--orm", action="store_true", help="also time the contacts step with ORM create"
    )
    options, odoo_args = parser.parse_known_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_args)
    work = Path(tempfile.mkdtemp(prefix="rgpd_bench_"))
    started = time.perf_counter()
    full = bce_synth.generate_full(work / "src/", enterprises=options.enterprises)
    update, _later = bce_synth.generate_update(full, work / "next")
    print(f"extracts generated in {time.perf_counter() - started:.1f} s", flush=True)
    folder = work / "folder"
    folder.mkdir()

    registry = odoo.modules.registry.Registry(options.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"]
        params.set_param("rgpd_prospection.bce_postal_codes", options.postal_codes)
        params.set_param("rgpd_prospection.bce_extract_folder", str(folder))
        Import = env["rgpd.bce.import"]
        label = f"full extract of {options.enterprises} enterprises"
        try:
            if options.orm:
                with cr.savepoint() as savepoint:
                    shutil.copy(full, folder / full.name)
                    orm = timed_steps(
                        Import.with_context(rgpd_bce_orm_create=True), label + " (ORM)"
                    )
                    savepoint.rollback()
                env.invalidate_all()
            full.rename(folder / full.name)
            sql = timed_steps(Import, label)
            if options.orm:
                print(f"contacts step: set-based insert {orm / sql:.1f}x faster than ORM create")
            update.rename(folder / update.name)
            timed_steps(Import, "daily update")
        finally:
            cr.rollback()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
