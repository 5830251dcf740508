"""An update applied to a store reads only the enterprises it may change, and must
give what the whole state gives: the same companies, drops, counts and state."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from bce_engine import EngineConfig, apply_update_extract, read_full_extract, state_store
from bce_engine.companies import build_companies
from bce_engine.model import STATE_TABLES
from bce_engine.state_store import MemoryStore, apply_update_to_store
from bce_synth import generate_full, generate_update
from test_reader import digits
from test_update import A, B, C, D, E, base, update  # noqa: F401 - fixture

CONFIGS = (EngineConfig(), EngineConfig(max_shared_contacts=1, drop_flagged=True))


def normalised(frame):
    """A table as plain values in a canonical order: categories and row order within
    an entity are the store's business, values are not."""
    frame = frame.astype({c: object for c in frame.columns if frame[c].dtype != np.int64})
    frame = frame.astype(str)
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def assert_same_state(one, other):
    assert one.meta == other.meta
    for table in STATE_TABLES:
        pd.testing.assert_frame_equal(
            normalised(getattr(one, table)), normalised(getattr(other, table)), obj=table
        )


def first_addresses(state):
    """The seat (first address) of each entity, which the row order decides."""
    return state.addresses.drop_duplicates("entity")[["entity", "postal_code"]].astype(str)


def all_companies(state, config):
    numbers = np.sort(state.enterprises["bce"].to_numpy())
    return list(build_companies(state, numbers, config, Counter()))


def assert_same_result(whole, stored, config):
    assert stored.created == whole.created
    assert stored.updated == whole.updated
    assert stored.stopped == whole.stopped
    assert stored.drops == whole.drops
    assert stored.row_counts == whole.row_counts
    changed = whole.created | whole.updated
    drops_whole, drops_stored = Counter(), Counter()
    assert list(whole.companies_of(changed, drops_whole)) == list(
        stored.companies_of(changed, drops_stored)
    )
    assert drops_whole == drops_stored


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    """A full extract and three updates following each other."""
    folder = tmp_path_factory.mktemp("store")
    full = generate_full(folder / "full", enterprises=3000, seed=21)
    updates, later = [], full
    for seed in (1, 2, 3):
        path, later = generate_update(later, folder / f"u{seed}", seed=seed)
        updates.append(path)
    return full, updates


@pytest.mark.parametrize("config", CONFIGS)
def test_a_sequence_of_updates_gives_what_the_whole_state_gives(extracts, config):
    full, updates = extracts
    state = read_full_extract(full, config).state
    store = MemoryStore(state)
    sub_state_sizes = []
    for path in updates:
        whole = apply_update_extract(path, state, config)
        stored = apply_update_to_store(path, store, config)
        assert stored.enterprises is not None, "a daily update reads a sub-state"
        sub_state_sizes.append(len(stored.result.state))
        assert_same_result(whole, stored.result, config)
        store.write_back(stored)
        state = whole.state
        assert_same_state(store.state, state)
        pd.testing.assert_frame_equal(first_addresses(store.state), first_addresses(state))
        assert stored.table_counts == {t: len(getattr(state, t)) for t in STATE_TABLES}
        assert stored.result.legal_persons == len(state)
        assert all_companies(store.state, config) == all_companies(state, config)
    assert max(sub_state_sizes) < len(state) / 2


@pytest.fixture(scope="module")
def nace_conversion(extracts, tmp_path_factory):
    """A mass update after the full: a NACE conversion of a third of the
    activity groups, beside daily changes."""
    full, _updates = extracts
    folder = tmp_path_factory.mktemp("mass")
    return generate_update(full, folder, seed=5, nace_conversion=0.33)[0]


@pytest.mark.parametrize("slice_rows", [1_000_000, 7, 500])
@pytest.mark.parametrize("config", CONFIGS)
def test_a_mass_update_reads_the_whole_state(
    extracts, nace_conversion, monkeypatch, slice_rows, config
):
    """Through the whole state, its activities read and replaced slice by slice,
    a mass update gives exactly what ``apply_update_extract`` gives on the
    whole state: the state (to the row order and the categories), the
    created, updated and stopped, the drops and the companies; the store's
    state is left as it was until written back."""
    full, updates = extracts
    state = read_full_extract(full, config).state
    monkeypatch.setattr(state_store, "FULL_PATH_MIN", 0)
    monkeypatch.setattr(state_store, "FULL_PATH_SHARE", 0.0)
    monkeypatch.setattr(state_store, "SLICE_ROWS", slice_rows)
    for path in (updates[0], nace_conversion):
        store = MemoryStore(state)
        kept = {table: getattr(state, table).copy() for table in STATE_TABLES}
        whole = apply_update_extract(path, state, config)
        stored = apply_update_to_store(path, store, config)
        assert stored.enterprises is None
        assert_same_result(whole, stored.result, config)
        for table in STATE_TABLES:
            pd.testing.assert_frame_equal(getattr(store.state, table), kept[table], obj=table)
            pd.testing.assert_frame_equal(
                getattr(stored.result.state, table), getattr(whole.state, table), obj=table
            )
        assert stored.table_counts == {t: len(getattr(whole.state, t)) for t in STATE_TABLES}
        store.write_back(stored)
        assert store.state is stored.result.state
        assert all_companies(store.state, config) == all_companies(whole.state, config)
    assert len(whole.updated) > len(state) / 5, "the NACE conversion changes many companies"


def test_a_value_becoming_shared_changes_every_holder(base, tmp_path):  # noqa: F811
    """E takes the accountant's address that B, C and D hold: the four lose it,
    though the update names only E; A, unrelated, is not read."""
    path = update(tmp_path, {"contact_insert": [(E, "ENT", "EMAIL", "office@fidu.be")]})
    store = MemoryStore(base.state)
    stored = apply_update_to_store(path, store)
    whole = apply_update_extract(path, base.state)
    assert_same_result(whole, stored.result, EngineConfig())
    assert whole.updated == {digits(B), digits(C), digits(D)}
    held = set(stored.result.state.enterprises["bce"].tolist())
    assert int(digits(A)) not in held
    assert list(stored.enterprises) == [int(digits(E))]
    store.write_back(stored)
    assert_same_state(store.state, whole.state)
