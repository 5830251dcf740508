"""BCE/KBO open-data engine: pure Python, no Odoo import.

Odoo imports it as ``odoo.addons.rgpd_prospection.bce_engine``; scripts and the
engine tests put the ``rgpd_prospection`` folder on ``sys.path`` and import
``bce_engine`` directly, so that the add-on's ``__init__`` (which needs Odoo)
never runs.
"""
