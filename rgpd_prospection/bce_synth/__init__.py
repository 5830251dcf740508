"""Synthetic BCE/KBO open-data extracts for tests, demo data and benchmarks.

Plain Python with no ``odoo`` import and no shared code with ``bce_engine``: it
is the oracle the engine is checked against. It lives in the add-on so that the
add-on's own tests can use it when the folder is deployed alone; ``scripts/``
imports it with the add-on folder on ``sys.path``.
"""

from .generator import (
    DEFAULT_CHANGE_RATES,
    HEADERS,
    generate_full,
    generate_update,
)

__all__ = ["DEFAULT_CHANGE_RATES", "HEADERS", "generate_full", "generate_update"]
