"""BCE/KBO open-data engine: pure Python, no Odoo import.

Odoo imports it as ``odoo.addons.rgpd_prospection.bce_engine``; scripts and the
engine tests put the ``rgpd_prospection`` folder on ``sys.path`` and import
``bce_engine`` directly, so that the add-on's ``__init__`` (which needs Odoo)
never runs.

The names below are the engine's API for the models: read an extract
(``read_full_extract``, ``apply_update_extract``, ``read_extract_code_table``),
reopen a saved state (``result_of_state``), then ``select`` a perimeter and
build its companies (``companies``, ``companies_of``); ``release_memory`` gives
what a step freed back to the system before the next.
"""

from .companies import is_personal_name
from .engine import (
    Selection,
    apply_update_extract,
    read_extract_code_table,
    read_full_extract,
    result_of_state,
)
from .errors import BceFormatError, BceReadError
from .memory import release_memory
from .model import Company, EngineConfig, ExtractMeta, LegalPersonState
from .perimeter import EmptyPerimeterError, Perimeter
from .reader import CORE_TABLES, read_meta, shrunken_tables
from .tables import count_rows

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
    "Selection",
    "apply_update_extract",
    "count_rows",
    "is_personal_name",
    "read_extract_code_table",
    "read_full_extract",
    "read_meta",
    "release_memory",
    "result_of_state",
    "shrunken_tables",
]
