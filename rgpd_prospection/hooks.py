import logging

_logger = logging.getLogger(__name__)


def uninstall_hook(env):
    """An uninstall drops the prospecting blacklist: say how many oppositions
    go with it (the export to keep them is described in the readme)."""
    env.cr.execute("SELECT count(*) FROM rgpd_blacklist WHERE active")
    count = env.cr.fetchone()[0]
    if count:
        _logger.warning(
            "Uninstalling rgpd_prospection deletes %s active oppositions to prospecting; "
            "export the blacklist first and import it after a reinstall.",
            count,
        )
