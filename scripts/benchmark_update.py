"""Time one day's update (about 600 changes) inside Odoo on a small and a large
register, in the same run, and print their ratio: an update must not cost in
proportion to the register.

For each size: a full extract is imported, the state tables are loaded from its
state (the step the first update after a full takes once, timed apart), then the
update is applied and timed step by step. Each size runs in one transaction
rolled back at the end. Use the Python of Odoo, e.g.::

    PYTHONPATH=/opt/odoo19/src /opt/odoo19/venv/bin/python scripts/benchmark_update.py \\
        -d bench -c odoo.conf --sizes 50000 200000 --cache /tmp/speed_cache
"""

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark_import import configure, generate, timed_steps, vacuum  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50000, 200000])
    parser.add_argument("--postal-codes", default="1000-9999")
    parser.add_argument("--update-changes", type=int, default=600)
    parser.add_argument("--cache", help="folder keeping the generated extracts between runs")
    parser.add_argument("--profile", action="store_true", help="print where the update's time goes")
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
    registry = odoo.modules.registry.Registry(options.database)
    figures = {}
    for size, (full, update) in extracts.items():
        folder = work / f"folder_{size}"
        folder.mkdir()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            configure(env, options.postal_codes, folder)
            Import = env["rgpd.bce.import"]
            try:
                shutil.copy(full, folder / full.name)
                timed_steps(Import, f"full extract of {size} enterprises")
                started = time.perf_counter()
                Import._load_state_tables(Import._last_done())
                env.flush_all()
                print(f"  state tables loaded once in {time.perf_counter() - started:.2f} s")
                shutil.copy(update, folder / update.name)
                profiler = cProfile.Profile() if options.profile else None
                if profiler:
                    profiler.enable()
                _rate, total, steps = timed_steps(Import, f"daily update on {size} enterprises")
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                record = Import._last_done()
                print(
                    f"  {len(record.state_enterprises or [])} enterprises touched, "
                    f"sub-state of {record.state_partial and 'some' or 'all'}: "
                    f"{record.count_updated} updated, {record.count_created} created, "
                    f"{record.count_archived} archived"
                )
                figures[size] = (total, steps)
            finally:
                cr.rollback()
        vacuum(registry)
    shutil.rmtree(work, ignore_errors=True)
    small, large = min(figures), max(figures)
    print(
        f"daily update: {figures[small][0]:.2f} s on {small} enterprises, "
        f"{figures[large][0]:.2f} s on {large}: ratio {figures[large][0] / figures[small][0]:.2f} "
        "(goal: at most 1.5, and at most 2 s)"
    )


if __name__ == "__main__":
    main()
