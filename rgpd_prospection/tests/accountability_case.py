from itertools import count

from .common import RgpdCase, enterprise_number

_BASES = count(4_100_000)


class AccountabilityCase(RgpdCase):
    """BCE prospects with valid, distinct enterprise numbers for the
    accountability tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Consent = cls.env["rgpd.consent"]
        cls.Purpose = cls.env["rgpd.purpose"]

    @staticmethod
    def _new_number():
        """A fresh valid enterprise number (mod 97 check digits)."""
        return enterprise_number(next(_BASES))

    @classmethod
    def _prospect(cls, name, **values):
        return cls.Partner.create(
            {
                "name": name,
                "is_company": True,
                "is_bce_prospect": True,
                "bce_number": cls._new_number(),
                **values,
            }
        )

    @classmethod
    def _person(cls, company, name, **values):
        return cls.Partner.create({"name": name, "parent_id": company.id, **values})
