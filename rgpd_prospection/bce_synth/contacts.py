"""Contact values of the synthetic extracts: generic, nominative and private e-mails, phones
spelled every way the BCE holds them, and values shared by many entities (accountants)."""

import unicodedata

import numpy as np

from .vocabulary import FAMILY, FIRST, GENERIC_MAIL, PRIVATE_MAIL, TLDS, TONGUES


def _ascii_slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in ascii_text if c.isalnum())


class ContactMaker:
    """Contact values: generic, nominative and private e-mails, messy phones, shared ones."""

    def __init__(self, seed, n):
        pool_rng = np.random.default_rng([seed, 99])
        size = max(3, n // 5000)
        families = FAMILY["FR"] + FAMILY["NL"]
        self.shared_mail = [
            f"{GENERIC_MAIL[i % 2]}@{'fiduciaire' if i % 3 else 'accountancy'}-"
            f"{_ascii_slug(families[pool_rng.integers(len(families))])}{i}.be"
            for i in range(size)
        ]
        self.shared_tel = [self._phone(pool_rng, 0) for _ in range(size)]
        # indexed like the population's stacked name arrays: FR, then NL, then DE
        self.family = [name for tongue in TONGUES for name in FAMILY[tongue]]
        self.first = [name for tongue in TONGUES for name in FIRST[tongue]]

    @staticmethod
    def _phone(rng, style):
        zone = ["2", "9", "3", "4", "10", "53", "56", "87"][rng.integers(8)]
        rest = "".join(str(digit) for digit in rng.integers(0, 10, 8 - len(zone)))
        mobile = (
            "4"
            + str(rng.choice([70, 72, 75, 76, 77, 78, 79, 84, 85, 86, 94, 95, 96, 97]))
            + "".join(str(digit) for digit in rng.integers(0, 10, 6))
        )
        if style == 0:  # 053/39-00-70
            return f"0{zone}/{rest[:-4]}-{rest[-4:-2]}-{rest[-2:]}"
        if style == 1:  # +32 2 123 45 67
            return f"+32 {zone} {rest[:-4]} {rest[-4:-2]} {rest[-2:]}"
        if style == 2:  # 0475 12 34 56
            return f"0{mobile[:3]} {mobile[3:5]} {mobile[5:7]} {mobile[7:]}"
        if style == 3:
            return f"+32{mobile}"
        if style == 4:
            return f"0{zone}.{rest[:-4]}.{rest[-4:]}"
        if style == 5:
            return f"0032 {zone} {rest}"
        return ["123", "0000000000", "0475 12 34", "n.v.t.", "+32 0 000"][rng.integers(5)]

    def domain(self, legal_name, family, rng):
        name = legal_name.replace('""', "")
        words = [_ascii_slug(w) for w in name.replace(",", " ").split() if _ascii_slug(w)]
        base = "-".join(words[:2]) if rng.random() < 0.5 else "".join(words[:2])
        return (base or _ascii_slug(family) or "firma") + TLDS[rng.integers(len(TLDS))]

    def value(self, rng, kind, name, first, family, natural):
        if kind == "EMAIL":
            draw = rng.random()
            if draw < 0.1:
                return self.shared_mail[rng.integers(len(self.shared_mail))]
            first_slug, family_slug = _ascii_slug(first), _ascii_slug(family)
            if draw < (0.2 if natural else 0.45):
                generic = GENERIC_MAIL[rng.integers(len(GENERIC_MAIL))]
                return f"{generic}@{self.domain(name, family, rng)}"
            if draw < (0.45 if natural else 0.7):
                local = [
                    f"{first_slug}.{family_slug}",
                    f"{first_slug[0]}.{family_slug}",
                    first_slug,
                    f"{first_slug}{family_slug}",
                ][rng.integers(4)]
                return f"{local}@{self.domain(name, family, rng)}"
            local = [
                f"{first_slug}.{family_slug}",
                f"{first_slug}{family_slug}{rng.integers(10, 99)}",
                f"{family_slug}.{first_slug}",
            ][rng.integers(3)]
            return f"{local}@{PRIVATE_MAIL[rng.integers(len(PRIVATE_MAIL))]}"
        if kind == "WEB":
            domain = self.domain(name, family, rng)
            return [f"www.{domain}", f"http://www.{domain}", f"https://{domain}/", domain][
                rng.integers(4)
            ]
        if rng.random() < 0.08:
            return self.shared_tel[rng.integers(len(self.shared_tel))]
        return self._phone(rng, rng.choice(7, p=[0.25, 0.15, 0.25, 0.1, 0.1, 0.05, 0.1]))


CONTACT_TYPES = ["EMAIL", "TEL", "WEB", "FAX"]
