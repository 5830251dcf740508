"""``benchmark_update.py`` with the time and resident memory of each phase of
an import printed as it ends (engine, staging steps, contacts, and within the
contacts each chunk's write-back and notes): where a peak comes from, which
the benchmark's one figure per import does not say. Same options, e.g.::

    PYTHONPATH=/opt/odoo19/src /opt/odoo19/venv/bin/python \\
        scripts/benchmark_update_phases.py -d bench -c odoo.conf --sizes 200000 \\
        --rounds 0 --mass --cache /tmp/speed_cache
"""

import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import benchmark_update  # noqa: E402 - the folder of this script first

SHOWN_FROM = 0.5  # seconds: shorter calls are not printed
PHASES = {
    "partner_sync._PartnerSync": [
        "stage",
        "run",
        "run_staged",
        "_sync",
        "_write_pending",
        "_write_all",
        "_post_messages",
        "_archive",
    ],
    "rgpd_bce_import.RgpdBceImport": ["_run_step", "_run_engine_phase", "_run_partner_phase"],
}


def probed(function, label, sampler, depth):
    @functools.wraps(function)
    def call(*args, **kwargs):
        before, outer_peak = sampler.rss(), sampler.peak
        sampler.peak = before
        started = time.perf_counter()
        depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            seconds, peak = time.perf_counter() - started, max(sampler.peak, sampler.rss())
            if seconds >= SHOWN_FROM:
                print(
                    f"{'  ' * depth[0]}{label}: {seconds:.1f} s, RSS {before / 2**20:.0f} -> "
                    f"{sampler.rss() / 2**20:.0f} MB, peak {peak / 2**20:.0f} MB",
                    flush=True,
                )
            sampler.peak = max(outer_peak, peak)

    return call


def main():
    import odoo.modules.module
    import odoo.tools

    config = [arg for i, arg in enumerate(sys.argv) if "-c" in sys.argv[i - 1 : i]]
    odoo.tools.config.parse_config(["-c", *config] if config else [])
    odoo.modules.module.initialize_sys_path()
    from odoo.addons.rgpd_prospection.models.bce_import import partner_sync, rgpd_bce_import

    modules = {"partner_sync": partner_sync, "rgpd_bce_import": rgpd_bce_import}
    sampler, depth = benchmark_update.RssSampler(period=0.005), [0]
    for path, names in PHASES.items():
        module, name = path.split(".")
        cls = getattr(modules[module], name)
        for method in names:
            if method in vars(cls):
                setattr(cls, method, probed(vars(cls)[method], method, sampler, depth))
    benchmark_update.main()
    sampler.stop()


if __name__ == "__main__":
    main()
