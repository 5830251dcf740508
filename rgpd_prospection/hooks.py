import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def uninstall_hook(env):
    """An uninstall drops the prospecting blacklist: say how many oppositions
    go with it (the export to keep them is described in the readme). The
    staging tables of an unfinished import are not the ORM's: drop them."""
    env.cr.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'rgpd\\_bce\\_staging\\_%'"
    )
    for (table,) in env.cr.fetchall():
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    env.cr.execute("SELECT count(*) FROM rgpd_blacklist WHERE active")
    count = env.cr.fetchone()[0]
    if count:
        _logger.warning(
            "Uninstalling rgpd_prospection deletes %s active oppositions to prospecting; "
            "export the blacklist first and import it after a reinstall.",
            count,
        )
