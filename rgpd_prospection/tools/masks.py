"""Masked values for the erasure log: enough to recognise what one is shown,
not to rebuild it."""


def mask_words(text):
    """First letter of each word, as ``privacy.log`` masks names, with a fixed
    number of stars so that the length is not told either."""
    return " ".join(word[0] + "***" for word in text.split())


def mask_email(email):
    """``jan.peeters@acme.be`` -> ``j***.p***@a***.be``: enough to recognise
    an address one is shown, not to rebuild it."""
    local, _at, domain = email.rpartition("@")
    labels = domain.split(".")
    masked_local = ".".join(part[0] + "***" for part in local.split(".") if part)
    masked_domain = ".".join([label[0] + "***" for label in labels[:-1] if label] + labels[-1:])
    return f"{masked_local}@{masked_domain}"


def mask_phone(number):
    """``+32470123456`` -> ``+32***56``: the country code and the last two digits."""
    return f"{number[:3]}***{number[-2:]}"
