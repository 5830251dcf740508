"""Time one day's update (about 600 changes) inside Odoo on a small and a large
register, in the same run, and print their ratio: an update must not cost in
proportion to the register.

The updates compared are of the same size and mix: each is generated from its
size's full extract with the same number of changes of each kind (``--update-changes``
spread as ``DEFAULT_CHANGE_RATES``), and the rows of each file of every update are
printed beside its figures.

For each size: a full extract is imported, the state tables are loaded from its
state (the step the first update after a full takes once, timed apart), then the
update is applied ``--rounds`` times, each time rolled back to the state before it,
and timed step by step. ``--mass`` then applies a mass update instead: the daily
changes and a NACE conversion rewriting a share of the activity groups (NACE-BEL
2025 came as one update of 7.28 M changes: the default share gives about that
many nationally), timed and its peak RSS sampled beside the full import's. Each
size runs in one transaction rolled back at the end. Use the Python of Odoo, e.g.::

    PYTHONPATH=/opt/odoo19/src /opt/odoo19/venv/bin/python scripts/benchmark_update.py \\
        -d bench -c odoo.conf --sizes 50000 200000 --cache /tmp/speed_cache
"""

import argparse
import cProfile
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_import import (  # noqa: E402
    bce_synth,
    configure,
    daily_changes,
    generate,
    timed_steps,
    vacuum,
)

# share of the activity groups converted: about 7.28 M changes on the national extract
MASS_SHARE = 0.175


def generate_mass(folder, full, update_changes, share):
    """The mass update of ``full``: the daily changes and a NACE conversion of ``share``."""
    update = next(folder.glob("*Update*.zip"), None)
    if not update:
        update, _later = bce_synth.generate_update(
            full, folder, changes=daily_changes(update_changes), nace_conversion=share
        )
    return update


def update_rows(path):
    """Rows of each member of an update (header excluded), by member name."""
    with zipfile.ZipFile(path) as extract:
        rows = {}
        for name in extract.namelist():
            if name.endswith(("_delete.csv", "_insert.csv")):
                with extract.open(name) as member:
                    rows[name[:-4]] = sum(chunk.count(b"\n") for chunk in iter_chunks(member)) - 1
    return rows


def iter_chunks(stream, size=1 << 24):
    while chunk := stream.read(size):
        yield chunk


class RssSampler:
    """The resident memory of this process, sampled every few milliseconds:
    the peak of one phase, where ``ru_maxrss`` only gives the run's."""

    def __init__(self, period=0.01):
        self.period, self.peak, self.running = period, 0, True
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def rss(self):
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self.page

    def _run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(self.period)

    @contextmanager
    def phase(self):
        """Yields a dict of the RSS (MB) at the ``start``, and its ``peak`` once the phase ends."""
        figures = {"start": self.rss() / 2**20}
        self.peak = self.rss()
        try:
            yield figures
        finally:
            figures["peak"] = max(self.peak, self.rss()) / 2**20

    def stop(self):
        self.running = False
        self.thread.join()


class QueryTimes:
    """The SQL statements run in this thread, timed by shape (Odoo's query hooks)."""

    def __init__(self):
        self.times = defaultdict(lambda: [0, 0.0, 0.0, None])

    def hook(self, _cr, query, params, _start, delay):
        query = query if isinstance(query, str) else query.decode()
        entry = self.times[re.sub(r"\s+", " ", query)[:200]]
        entry[0] += 1
        entry[1] += delay
        if delay > entry[2]:
            entry[2], entry[3] = delay, (query, params)

    @contextmanager
    def recording(self):
        """Odoo's statements, and the state tables' ``COPY … TO`` (as their SELECT)."""
        from odoo.addons.rgpd_prospection.models.bce_import.state_tables import (  # noqa: PLC0415
            PgStateStore,
        )

        copy_out = PgStateStore._copy_out

        def timed_copy_out(store, table, where=None, order=None):
            started = time.perf_counter()
            try:
                return copy_out(store, table, where, order)
            finally:
                query = store._select(table, where, order)
                self.hook(
                    store.cr, query.code, query.params, started, time.perf_counter() - started
                )

        thread = threading.current_thread()
        thread.query_hooks = (*getattr(thread, "query_hooks", ()), self.hook)
        PgStateStore._copy_out = timed_copy_out
        try:
            yield self
        finally:
            thread.query_hooks = tuple(h for h in thread.query_hooks if h != self.hook)
            PgStateStore._copy_out = copy_out

    def print(self, top, cr=None):
        """The ``top`` statements by time; with ``cr``, the plan of the slowest
        run of each SELECT among them (run again: call it before rolling back)."""
        total = sum(entry[1] for entry in self.times.values())
        print(
            f"  SQL: {total:.2f} s in {sum(entry[0] for entry in self.times.values())} statements"
        )
        ranked = sorted(self.times.items(), key=lambda item: -item[1][1])[:top]
        for shape, (count, seconds, _slowest, (query, params)) in ranked:
            print(f"    {seconds * 1000:8.1f} ms {count:5d}x  {shape}")
            if cr is not None and query.lstrip().upper().startswith("SELECT"):
                cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
                for (line,) in cr.fetchall():
                    print(f"        {line}")


def usable_indexes(registry):
    """Rebuild the tables whose indexes a long transaction elsewhere may keep
    unused: an index built over updated rows (a fresh install) is flagged
    ``indcheckxmin`` and not used by transactions whose snapshot is older than
    it, and another benchmark's transaction holds every snapshot back; the
    update would then scan ``res_partner`` whole."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT DISTINCT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
               WHERE i.indcheckxmin AND c.relnamespace = 'public'::regnamespace"""
        )
        tables = [name for (name,) in cr.fetchall()]
        cr.rollback()
        cr._cnx.autocommit = True
        for name in tables:
            cr.execute(f'VACUUM FULL ANALYZE "{name}"')
    if tables:
        print(f"indexes rebuilt (they were flagged indcheckxmin): {', '.join(tables)}")


@contextmanager
def rolled_back(env, name):
    """What runs inside leaves the database as it was (a savepoint)."""
    env.flush_all()
    env.cr.execute(f"SAVEPOINT {name}")
    try:
        yield
    finally:
        env.cr.execute(f"ROLLBACK TO SAVEPOINT {name}")
        env.invalidate_all(flush=False)
        env.transaction.clear()


def apply_once(env, folder, update, label, profile=False, queries=None):
    """Apply ``update`` step by step; its seconds in all and by step, and what it did."""
    Import = env["rgpd.bce.import"]
    shutil.copy(update, folder / update.name)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    with queries.recording() if queries else _nothing():
        _rate, total, steps = timed_steps(Import, label)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    record = Import._last_done()
    done = (
        f"{len(record.state_enterprises or [])} enterprises written back"
        if record.state_partial
        else "whole state"
    )
    return total, steps, done


@contextmanager
def _nothing():
    yield


def spread(values):
    return f"median {statistics.median(values):.2f} s, {min(values):.2f}-{max(values):.2f} s"


def main(argv=None):  # noqa: PLR0915 - one run, told in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50000, 200000])
    parser.add_argument("--postal-codes", default="1000-9999")
    parser.add_argument("--update-changes", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3, help="daily updates applied per size")
    parser.add_argument("--cache", help="folder keeping the generated extracts between runs")
    parser.add_argument("--profile", action="store_true", help="print where the update's time goes")
    parser.add_argument(
        "--queries", type=int, default=0, metavar="N", help="print the update's N slowest SQL"
    )
    parser.add_argument(
        "--explain", action="store_true", help="and the plans of those that are SELECTs"
    )
    parser.add_argument(
        "--mass", action="store_true", help="then time a mass update beside the full import"
    )
    parser.add_argument("--mass-share", type=float, default=MASS_SHARE)
    options, odoo_args = parser.parse_known_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_args)
    work = Path(tempfile.mkdtemp(prefix="rgpd_bench_update_"))
    cache = Path(options.cache) if options.cache else work / "cache"
    with ProcessPoolExecutor(max_workers=1) as pool:
        jobs = {
            size: pool.submit(
                generate, cache / f"{size}_{options.update_changes}", size, options.update_changes
            )
            for size in options.sizes
        }
        extracts = {size: job.result()[:2] for size, job in jobs.items()}
        masses = {
            size: pool.submit(
                generate_mass,
                cache / f"{size}_{options.update_changes}" / f"mass_{options.mass_share}",
                full,
                options.update_changes,
                options.mass_share,
            )
            for size, (full, _update) in extracts.items()
            if options.mass
        }
        masses = {size: job.result() for size, job in masses.items()}
    registry = odoo.modules.registry.Registry(options.database)
    usable_indexes(registry)
    sampler = RssSampler()
    figures, mass_figures = {}, {}
    for size, (full, update) in extracts.items():
        rows = update_rows(update)
        print(
            f"update for {size} enterprises: {sum(rows.values())} rows: "
            + ", ".join(f"{name} {count}" for name, count in rows.items() if count),
            flush=True,
        )
        folder = work / f"folder_{size}"
        folder.mkdir()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            configure(env, options.postal_codes, folder)
            Import = env["rgpd.bce.import"]
            try:
                shutil.copy(full, folder / full.name)
                with sampler.phase() as full_memory:
                    full_total = timed_steps(Import, f"full extract of {size} enterprises")[1]
                print(f"  peak RSS of the full import {full_memory['peak']:.0f} MB")
                started = time.perf_counter()
                Import._load_state_tables(Import._last_done())
                env.flush_all()
                print(f"  state tables loaded once in {time.perf_counter() - started:.2f} s")
                totals = []
                for round_ in range(options.rounds):
                    first = round_ == 0
                    queries = QueryTimes() if first and options.queries else None
                    with rolled_back(env, "bench_daily"):
                        total, _steps, done = apply_once(
                            env,
                            folder,
                            update,
                            f"daily update on {size} enterprises, round {round_ + 1}",
                            profile=first and options.profile,
                            queries=queries,
                        )
                        record = Import._last_done()
                        print(
                            f"  {done}: {record.count_updated} updated, "
                            f"{record.count_created} created, {record.count_archived} archived; "
                            f"load {os.getloadavg()[0]:.1f}"
                        )
                        if queries:
                            queries.print(options.queries, cr if options.explain else None)
                    totals.append(total)
                figures[size] = totals
                if options.mass:
                    mass = masses[size]
                    rows = update_rows(mass)
                    print(f"mass update for {size} enterprises: {sum(rows.values())} rows")
                    with rolled_back(env, "bench_mass"), sampler.phase() as memory:
                        total, _steps, done = apply_once(
                            env,
                            folder,
                            mass,
                            f"mass update on {size} enterprises",
                            profile=options.profile,
                        )
                    mass_figures[size] = (total, memory["peak"], full_total, full_memory["peak"])
                    print(
                        f"  mass update {total:.1f} s, peak RSS {memory['peak']:.0f} MB "
                        f"(from {memory['start']:.0f} MB at its start); "
                        f"full import {full_total:.1f} s, peak RSS {full_memory['peak']:.0f} MB"
                    )
            finally:
                cr.rollback()
        vacuum(registry)
    sampler.stop()
    shutil.rmtree(work, ignore_errors=True)
    print(f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    for size, totals in figures.items():
        if not totals:
            continue
        print(f"daily update on {size} enterprises: {spread(totals)} ({len(totals)} rounds)")
    if len(figures) > 1 and all(figures.values()):
        small, large = min(figures), max(figures)
        ratio = statistics.median(figures[large]) / statistics.median(figures[small])
        print(
            f"daily update: ratio {ratio:.2f} of the medians on {large} and {small} enterprises, "
            f"{min(figures[large]) / min(figures[small]):.2f} of the fastest "
            "(goal: at most 1.5, and at most 2 s)"
        )
    for size, (total, peak, full_total, full_peak) in mass_figures.items():
        print(
            f"mass update on {size} enterprises: {total:.1f} s and {peak:.0f} MB, "
            f"{total / full_total:.2f}x the full import's time ({full_total:.1f} s) and "
            f"{peak / full_peak:.2f}x its peak RSS ({full_peak:.0f} MB) (goal: at most 1 and 1)"
        )


if __name__ == "__main__":
    main()
