"""Erasure (GDPR art. 17) in the engine's state: the names, addresses and
contacts of erased enterprises and of their establishments leave the state
kept for the next update, so that the update cannot bring them back."""

from dataclasses import replace

import numpy as np

from .model import LegalPersonState

PERSONAL_TABLES = ("names", "addresses", "contacts")


def forget_enterprises(state: LegalPersonState, bce_numbers) -> LegalPersonState | None:
    """``state`` without the personal data of ``bce_numbers`` (strings of
    ten digits); ``None`` when it held none."""
    wanted = np.asarray(sorted({int(number) for number in bce_numbers if number}), dtype=np.int64)
    if not len(wanted):
        return None
    changes = {}
    for table in PERSONAL_TABLES:
        frame = getattr(state, table)
        if not len(frame):
            continue
        owners = state.owners(frame["entity"].to_numpy())
        erased = np.isin(owners, wanted)
        if erased.any():
            changes[table] = frame[~erased].reset_index(drop=True)
    return replace(state, **changes) if changes else None
