"""Pure helpers of the add-on, as in ``phone_validation/tools``: no ``odoo`` import,
unit-tested on their own (``tests/test_tools.py``). The BCE rules themselves
(numbers, NACE codes, postal codes) live in ``bce_engine``."""

from .access import MANAGER_GROUP, is_rgpd_manager
from .checksums import file_checksum
from .e164 import belgian_e164
from .labels import label_for_lang
from .masks import mask_email, mask_phone, mask_words
from .nace_text import nace_codes_text, nace_codes_texts, nace_keys, nace_token

__all__ = [
    "MANAGER_GROUP",
    "belgian_e164",
    "file_checksum",
    "is_rgpd_manager",
    "label_for_lang",
    "mask_email",
    "mask_phone",
    "mask_words",
    "nace_codes_text",
    "nace_codes_texts",
    "nace_keys",
    "nace_token",
]
