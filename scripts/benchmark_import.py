"""Time the BCE import inside Odoo on generated extracts: a full, then its update.

Runs Odoo as a library against a database where ``rgpd_prospection`` is installed,
inside one transaction that is rolled back at the end, so the database is left as
it was. Use the Python of Odoo, e.g.::

    PYTHONPATH=/opt/odoo19/src /opt/odoo19/venv/bin/python scripts/benchmark_import.py \\
        -d bench -c odoo.conf --enterprises 50000

Prints the seconds of each step (start, engine, prepare: the committed steps that stage
the new contacts, contacts: the all-or-nothing step that writes them), contacts per second and
the peak RSS of this process during the import's steps (the extracts are generated in a
child process, and the floor's COPY buffer is left out, so it is the import's); ``--memory``
prints each step's RSS and peak RSS.
``--orm N`` first times ORM ``create`` on a full extract of N
enterprises (then rolled back) and prints how much faster the set-based insert is;
the update has about ``--update-changes`` changes (a national day: about 600).

The floor every figure is set against is measured in the same run, after the
full import: a raw ``COPY`` of the same partner rows into a copy of
``res_partner`` with the same indexes, the median of three (``ratio``: the
import's seconds over the floor's).
"""

import argparse
import contextlib
import io
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "rgpd_prospection"))

import bce_synth  # noqa: E402

FLOOR_ROUNDS = 3
# Peak RSS of each step (VmHWM, reset before each step): ``ru_maxrss`` cannot
# be reset, so the peak of the import is the highest of them.
PEAKS = []
VERBOSE_MEMORY = False


def reset_step_peak():
    # not Linux: the step peaks are the process's peak so far
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_status():
    """RSS now and its peak since the last reset, in MB (Linux)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return peak_rss(), peak_rss()
    values = dict(line.split(":", 1) for line in lines if ":" in line)
    return (int(values[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))


def timed_steps(Import, label):
    """Run the pending import step by step, timing each kind of step: start,
    engine, prepare (the committed steps staging new contacts) and contacts
    (the all-or-nothing step writing them)."""
    timings = {}
    record = Import.browse()
    while True:
        if not record:
            step = "start"
        elif record.state == "running":
            step = "engine"
        else:
            step = "prepare" if record._stages() else "contacts"
        reset_step_peak()
        started = time.perf_counter()
        record = Import.run_pending_imports(max_steps=1) or record
        seconds = time.perf_counter() - started
        timings[step] = timings.get(step, 0) + seconds
        Import.env.flush_all()
        now, peak = memory_status()
        PEAKS.append(peak)
        if VERBOSE_MEMORY:
            print(f"  {step:9} {seconds:7.2f} s  RSS {now:6.0f} MB, step peak {peak:6.0f} MB")
        if record.state not in ("running", "ready"):
            break
    counts = record.read(["state", "count_kept", "count_created", "count_updated"])[0]
    counts["error_message"] = record.error_message
    timings = {
        step: timings[step]
        for step in ("start", "engine", "prepare", "contacts")
        if step in timings
    }
    total = sum(timings.values())
    written = counts["count_created"] + counts["count_updated"]
    rate = written / timings["contacts"] if timings.get("contacts") else 0
    print(
        f"{label}: {counts['state']}, {total:.1f} s in all "
        + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in timings.items())
        + f"; {counts['count_kept']} in perimeter, {counts['count_created']} created, "
        f"{counts['count_updated']} updated; contacts step {rate:,.0f} contacts/s",
        flush=True,
    )
    if counts["state"] != "done":
        raise SystemExit(f"{label} failed: {counts['error_message']}")
    return rate, total, timings


def copy_floor(cr, rounds=FLOOR_ROUNDS):
    """Seconds of a raw ``COPY`` of the imported prospects into a copy of
    ``res_partner`` with the same indexes (the median of ``rounds``: on a
    shared machine one ``COPY`` varies threefold), and how many rows."""
    cr.flush()
    raw = cr._cnx.cursor()
    buffer = io.StringIO()
    raw.copy_expert(
        "COPY (SELECT * FROM res_partner WHERE is_bce_prospect ORDER BY id) TO STDOUT", buffer
    )
    rows = buffer.getvalue().count("\n")
    timings = []
    for _round in range(rounds):
        raw.execute("CREATE TABLE rgpd_bench_floor (LIKE res_partner INCLUDING ALL)")
        buffer.seek(0)
        started = time.perf_counter()
        raw.copy_expert("COPY rgpd_bench_floor FROM STDIN", buffer, size=1 << 16)
        timings.append(time.perf_counter() - started)
        raw.execute("DROP TABLE rgpd_bench_floor")
    return statistics.median(timings), rows, timings


def copy_floor_with_foreign_keys(cr):
    """Seconds of the same ``COPY`` into a copy that also has the foreign
    keys of ``res_partner`` (a self-reference pointing to the copy): what any
    write into ``res_partner`` pays, which the floor leaves out."""
    raw = cr._cnx.cursor()
    buffer = io.StringIO()
    raw.copy_expert(
        "COPY (SELECT * FROM res_partner WHERE is_bce_prospect ORDER BY id) TO STDOUT", buffer
    )
    raw.execute("CREATE TABLE rgpd_bench_floor (LIKE res_partner INCLUDING ALL)")
    raw.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = 'res_partner'::regclass AND contype = 'f'"""
    )
    for name, definition in raw.fetchall():
        definition = definition.replace("REFERENCES res_partner(", "REFERENCES rgpd_bench_floor(")
        raw.execute(f'ALTER TABLE rgpd_bench_floor ADD CONSTRAINT "{name}" {definition}')
    buffer.seek(0)
    started = time.perf_counter()
    raw.copy_expert("COPY rgpd_bench_floor FROM STDIN", buffer, size=1 << 16)
    seconds = time.perf_counter() - started
    raw.execute("DROP TABLE rgpd_bench_floor")
    return seconds


def daily_changes(update_changes):
    """The generator's changes of each kind for an update of about
    ``update_changes`` changes, in the proportions of a day at the BCE."""
    rates = bce_synth.DEFAULT_CHANGE_RATES
    total = sum(rates.values())
    return {kind: max(3, round(update_changes * rate / total)) for kind, rate in rates.items()}


def generate(folder, enterprises, update_changes):
    """A full extract and its next update, made once per size in ``folder``."""
    full = next(folder.glob("src/*.zip"), None)
    if not full:
        full = bce_synth.generate_full(folder / "src/", enterprises=enterprises)
    update = next(folder.glob("next/*Update*.zip"), None)
    if not update:
        update, _later = bce_synth.generate_update(
            full, folder / "next", changes=daily_changes(update_changes)
        )
    return full, update, next(folder.glob("next/*Full*.zip"))


def configure(env, postal_codes, folder):
    params = env["ir.config_parameter"]
    params.set_param("rgpd_prospection.bce_postal_codes", postal_codes)
    params.set_param("rgpd_prospection.bce_extract_folder", str(folder))


def vacuum(registry):
    """Clear the rows a rolled-back run left, or they slow the next one down."""
    with registry.cursor() as cr:
        cr.rollback()
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--postal-codes", default="1000-9999")
    parser.add_argument("--update-changes", type=int, default=600)
    parser.add_argument(
        "--orm", type=int, default=0, metavar="N", help="time ORM create on N enterprises first"
    )
    parser.add_argument("--cache", help="folder keeping the generated extracts between runs")
    parser.add_argument(
        "--refull",
        action="store_true",
        help="then apply the later full extract instead of the update: every prospect is "
        "compared again (a broken chain, changed settings)",
    )
    parser.add_argument(
        "--memory", action="store_true", help="print the RSS and peak RSS of every step"
    )
    options, odoo_args = parser.parse_known_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_args)
    global VERBOSE_MEMORY  # noqa: PLW0603 - a print switch of this script
    VERBOSE_MEMORY = options.memory
    work = Path(tempfile.mkdtemp(prefix="rgpd_bench_"))
    cache = Path(options.cache) if options.cache else work / "cache"
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=1) as pool:
        size = f"{options.enterprises}_{options.update_changes}"
        extracts = pool.submit(generate, cache / size, options.enterprises, options.update_changes)
        if options.orm:
            small = pool.submit(generate, cache / f"{options.orm}_orm", options.orm, 3)
            orm_full = small.result()[0]
        full, update, later_full = extracts.result()
    print(f"extracts ready in {time.perf_counter() - started:.1f} s", flush=True)
    folder = work / "folder"
    folder.mkdir()

    registry = odoo.modules.registry.Registry(options.database)
    if options.orm:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            configure(env, options.postal_codes, folder)
            shutil.copy(orm_full, folder / orm_full.name)
            orm_rate, orm_total, _steps = timed_steps(
                env["rgpd.bce.import"].with_context(rgpd_bce_orm_create=True),
                f"full extract of {options.orm} enterprises (ORM create)",
            )
            cr.rollback()
        vacuum(registry)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        configure(env, options.postal_codes, folder)
        Import = env["rgpd.bce.import"]
        try:
            shutil.copy(full, folder / full.name)
            rate, total, steps = timed_steps(
                Import, f"full extract of {options.enterprises} enterprises"
            )
            # before the floor, whose COPY buffers every row in this process
            print(f"peak RSS of the full import {max(PEAKS):.0f} MB", flush=True)
            floor, rows, rounds = copy_floor(cr)
            print(
                f"floor: raw COPY of the {rows} partner rows into an indexed copy {floor:.2f} s "
                f"(median of {', '.join(f'{seconds:.2f}' for seconds in rounds)})"
            )
            with_keys = copy_floor_with_foreign_keys(cr)
            print(
                f"the same COPY into a copy that also has the foreign keys {with_keys:.2f} s "
                f"({with_keys / floor:.2f}x the floor)"
            )
            for step, seconds in [*steps.items(), ("import", total)]:
                print(f"  {step:9} {seconds:7.2f} s  {seconds / floor:5.2f}x the floor")
            if options.orm:
                print(
                    f"contacts step: set-based insert {rate:,.0f}/s, ORM create {orm_rate:,.0f}/s: "
                    f"{rate / orm_rate:.1f}x faster"
                )
                print(
                    f"whole import per contact: {total / options.enterprises * 1e6:,.0f} us per "
                    f"enterprise, against {orm_total / options.orm * 1e6:,.0f} us with ORM create"
                )
            if options.refull:
                shutil.copy(later_full, folder / later_full.name)
                timed_steps(Import, "later full extract (every prospect compared)")
            else:
                shutil.copy(update, folder / update.name)
                _rate, update_total, _steps = timed_steps(Import, "daily update")
                print(f"  update    {update_total:7.2f} s  {update_total / floor:5.2f}x the floor")
        finally:
            cr.rollback()
            shutil.rmtree(work, ignore_errors=True)
        vacuum(registry)
    print(f"peak RSS {max(PEAKS):.0f} MB of the imports' steps")


def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
