"""Synthetic BCE/KBO open-data extracts for tests, demo data and benchmarks.

Plain Python with no ``odoo`` import and no shared code with ``bce_engine``: it
is the oracle the engine is checked against. It lives in the add-on so that the
add-on's own tests can use it when the folder is deployed alone; ``scripts/``
imports it with the add-on folder on ``sys.path``.

The files are spelled exactly as the BCE publishes them (quoted texts, unquoted
dates, NULL as nothing between commas) so that the engine's reader meets real
format traps. An update is derived as the per-key difference of two fulls, so a
check "engine(full + update) == later full" can genuinely fail.

``vocabulary`` holds the words, ``extract_format`` the spelling and containers,
``population`` and ``contacts`` draw the entities, ``full`` writes a full,
``update`` mutates it into the later full and ``derive`` derives the update.
"""

from .extract_format import HEADERS
from .full import generate_full
from .update import DEFAULT_CHANGE_RATES, generate_update

__all__ = ["DEFAULT_CHANGE_RATES", "HEADERS", "generate_full", "generate_update"]
