"""Reason codes: why a row was dropped or a company flagged.

One code per rule, so every count in an import report can be explained.
"""

NATURAL_PERSON = "natural_person"
UNKNOWN_TYPE = "unknown_type"
NOT_LEGAL_PERSON = "not_legal_person"
OUTSIDE_PERIMETER = "outside_perimeter"
BLACKLISTED = "blacklisted"
ERASED = "erased"
EXPIRED = "expired"
INVALID_EMAIL = "invalid_email"
PRIVATE_MAILBOX = "private_mailbox"
NOMINATIVE_EMAIL = "nominative_email"
INVALID_PHONE = "invalid_phone"
SHARED_CONTACT = "shared_contact"
PERSONAL_NAME = "personal_name"
MOBILE_PHONE = "mobile_phone"
UNKNOWN_CODE = "unknown_code"

FLAG_REASONS = (PERSONAL_NAME, MOBILE_PHONE)
