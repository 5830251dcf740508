"""The text form of ``res.partner.bce_nace_codes``: one ``version:code`` token per
activity, separated by spaces, which the NACE search splits into an array."""


def nace_token(version, code):
    """How ``bce_nace_codes`` writes one activity: ``2008:62010``."""
    return f"{version}:{code}"


def nace_keys(text):
    """The (version, code) pairs of a ``bce_nace_codes`` value."""
    return [tuple(token.split(":", 1)) for token in (text or "").split() if ":" in token]


def nace_codes_text(keys):
    """The ``bce_nace_codes`` value of (version, code) pairs: sorted, no repeats.
    The tokens are ``nace_token``'s, written inline: an import calls this for
    every activity of the country."""
    return " ".join(sorted({f"{version}:{code}" for version, code in keys})) or False
