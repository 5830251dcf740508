from collections import Counter

from bce_engine import EngineConfig
from bce_engine.companies import build_companies
from bce_engine.erasure import forget_enterprises
from bce_engine.model import LegalPersonState
from test_engine import ACME, ACME_SHOP, PEETERS, scenario  # noqa: F401  (fixture)
from test_reader import digits


def test_an_erased_enterprise_leaves_the_state(scenario):  # noqa: F811
    state = scenario.state
    acme = int(digits(ACME))
    kept = forget_enterprises(state, [digits(ACME)])
    reloaded = LegalPersonState.from_bytes(kept.to_bytes())
    erased = {acme, int(digits(ACME_SHOP))}
    for table in ("names", "addresses", "contacts"):
        assert erased & set(getattr(state, table)["entity"].tolist()), table
        assert not erased & set(getattr(reloaded, table)["entity"].tolist()), table
    numbers = reloaded.enterprises["bce"].sort_values().to_numpy()
    companies = {
        c.bce_number: c for c in build_companies(reloaded, numbers, EngineConfig(), Counter())
    }
    assert digits(PEETERS) in companies, "the others stay"
    assert forget_enterprises(kept, [digits(ACME)]) is None
