"""The text form of ``res.partner.bce_nace_codes``: one ``version:code`` token per
activity, separated by spaces, which the NACE search splits into an array."""


def nace_token(version, code):
    """How ``bce_nace_codes`` writes one activity: ``2008:62010``."""
    return f"{version}:{code}"


def nace_keys(text):
    """The (version, code) pairs of a ``bce_nace_codes`` value."""
    return [tuple(token.split(":", 1)) for token in (text or "").split() if ":" in token]


def nace_codes_text(keys):
    """The ``bce_nace_codes`` value of (version, code) pairs: sorted, no repeats."""
    return nace_codes_texts([tuple(keys)])[0]


def nace_codes_texts(lists):
    """``nace_codes_text`` of each of ``lists``, sequences of tuples whose first
    two items are the version and the code (the engine's triples). Each
    distinct tuple is written once, as ``nace_token`` writes it: an import
    calls this for every activity of the country, and its companies share
    the tuples."""
    tokens = {key: nace_token(key[0], key[1]) for key in set().union(*lists)}
    token = tokens.__getitem__
    return [" ".join(sorted(set(map(token, keys)))) or False for keys in lists]
