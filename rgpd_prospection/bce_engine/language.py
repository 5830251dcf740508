"""The language to address a company in, from the postal code of its seat.

Belgian postal codes follow the provinces: 1000-1299 Brussels (bilingual),
1300-1499 Walloon Brabant, 1500-3999 Flemish Brabant, Antwerp and Limburg,
4000-7999 Wallonia, 8000-9999 West and East Flanders. The nine German-speaking
municipalities lie inside the province of Liège and get German.
"""

from functools import lru_cache

# Eupen, Kelmis, Lontzen, Raeren, Amel, Büllingen, Burg-Reuland, Bütgenbach, Sankt Vith
GERMAN_POSTAL_CODES = frozenset(
    {
        4700,  # Eupen
        4701,  # Eupen (Kettenis)
        4710,  # Lontzen, Herbesthal
        4711,  # Lontzen (Walhorn)
        4720,  # Kelmis
        4721,  # Kelmis (Neu-Moresnet)
        4728,  # Kelmis (Hergenrath)
        4730,  # Raeren, Hauset
        4731,  # Raeren (Eynatten)
        4750,  # Bütgenbach, Elsenborn
        4760,  # Büllingen, Manderfeld
        4761,  # Büllingen (Rocherath)
        4770,  # Amel, Meyerode
        4771,  # Amel (Heppenbach)
        4780,  # Sankt Vith, Recht
        4782,  # Sankt Vith (Schönberg)
        4783,  # Sankt Vith (Lommersweiler)
        4784,  # Sankt Vith (Crombach)
        4790,  # Burg-Reuland
        4791,  # Burg-Reuland (Thommen)
    }
)

BRUSSELS = (1000, 1299)


def postal_code_number(postal_code):
    """The Belgian postal code as an int, or ``None`` when it is not one."""
    if postal_code is None:
        return None
    text = str(postal_code).strip()
    if len(text) != 4 or not text.isdigit() or text[0] == "0":
        return None
    return int(text)


def is_brussels(postal_code):
    number = postal_code_number(postal_code)
    return number is not None and BRUSSELS[0] <= number <= BRUSSELS[1]


@lru_cache(maxsize=4096)
def region_language(postal_code):
    """``nl``, ``fr`` or ``de`` for a Flemish, Walloon or German-speaking postal
    code; ``None`` for Brussels (the name decides) and non-Belgian codes."""
    number = postal_code_number(postal_code)
    if number is None or BRUSSELS[0] <= number <= BRUSSELS[1]:
        return None
    if number in GERMAN_POSTAL_CODES:
        return "de"
    if 1300 <= number <= 1499 or 4000 <= number <= 7999:
        return "fr"
    return "nl"


@lru_cache(maxsize=65536)
def company_language(postal_code, name_language, default="fr"):
    """The seat decides; in Brussels (and abroad) the name's language does, French
    or Dutch in Brussels, ``default`` when the name is neither."""
    language = region_language(postal_code)
    if language:
        return language
    allowed = ("fr", "nl") if is_brussels(postal_code) else ("fr", "nl", "de")
    if name_language in allowed:
        return name_language
    return default if default in allowed else "fr"
