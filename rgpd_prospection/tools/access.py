"""Who may act as a GDPR prospecting manager."""

MANAGER_GROUP = "rgpd_prospection.group_rgpd_manager"


def is_rgpd_manager(env):
    """The superuser (code that runs ``sudo()``, the crons) or a user of the
    manager group: the one check every manager-only action makes."""
    return bool(env.su or env.user.has_group(MANAGER_GROUP))
