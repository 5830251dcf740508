"""BCE/KBO open-data engine: pure Python, no Odoo import.

Odoo imports it as ``odoo.addons.rgpd_prospection.bce_engine``; scripts and the
engine tests put the ``rgpd_prospection`` folder on ``sys.path`` and import
``bce_engine`` directly, so that the add-on's ``__init__`` (which needs Odoo)
never runs.
"""

from .engine import apply_update_extract, is_personal_name, read_full_extract
from .errors import BceFormatError, BceReadError
from .model import Company, EngineConfig, ExtractMeta, LegalPersonState
from .perimeter import EmptyPerimeterError, Perimeter
from .reader import CORE_TABLES, count_rows, read_meta, shrunken_tables

__all__ = [
    "CORE_TABLES",
    "BceFormatError",
    "BceReadError",
    "Company",
    "EmptyPerimeterError",
    "EngineConfig",
    "ExtractMeta",
    "LegalPersonState",
    "Perimeter",
    "apply_update_extract",
    "count_rows",
    "is_personal_name",
    "read_full_extract",
    "read_meta",
    "shrunken_tables",
]
