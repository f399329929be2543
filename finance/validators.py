"""Bank identifiers: normalise and check IBAN (ISO 13616 mod-97), UK sort code and SWIFT/BIC.

Each function returns the normalised value or raises django's ValidationError.
"""

import re

from django.core.exceptions import ValidationError

# Lengths of the IBANs most likely here; other countries are checked by format and mod-97.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
    "GH": 24, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "SE": 24,
}  # fmt: skip
IBAN_FORMAT = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
SWIFT_FORMAT = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
ACCOUNT_NUMBER_FORMAT = re.compile(r"^[0-9]{4,20}$")
UK_ACCOUNT_NUMBER_FORMAT = re.compile(r"^[0-9]{8}$")
_SEPARATORS = re.compile(r"[\s-]+")


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", str(value or "")).upper()


def iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 mod 97-10: move the first four characters to the end, letters to 10..35."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def normalise_iban(value: str) -> str:
    iban = _compact(value)
    if not IBAN_FORMAT.match(iban):
        raise ValidationError(
            "Enter an IBAN: a country code, two check digits and up to 30 letters or digits.",
            code="invalid_iban",
        )
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        raise ValidationError(
            f"An IBAN from {iban[:2]} has {expected} characters.", code="invalid_iban"
        )
    if not iban_checksum_ok(iban):
        raise ValidationError(
            "This IBAN's check digits do not match; check for a typo.", code="invalid_iban"
        )
    return iban


def normalise_sort_code(value: str) -> str:
    """UK sort codes are six digits, stored as NN-NN-NN (spaces or no separators accepted)."""
    digits = _compact(value)
    if not re.fullmatch(r"[0-9]{6}", digits):
        raise ValidationError("Enter a UK sort code as NN-NN-NN.", code="invalid_sort_code")
    return f"{digits[0:2]}-{digits[2:4]}-{digits[4:6]}"


def normalise_swift(value: str) -> str:
    swift = _compact(value)
    if not SWIFT_FORMAT.match(swift):
        raise ValidationError(
            "Enter a SWIFT/BIC code: 8 or 11 characters (bank, country, location, branch).",
            code="invalid_swift",
        )
    return swift


def normalise_account_number(value: str, *, uk: bool = False) -> str:
    number = _compact(value)
    if uk and not UK_ACCOUNT_NUMBER_FORMAT.match(number):
        raise ValidationError(
            "A UK account number (with a sort code) has 8 digits.", code="invalid_account_number"
        )
    if not ACCOUNT_NUMBER_FORMAT.match(number):
        raise ValidationError(
            "Enter an account number of 4 to 20 digits.", code="invalid_account_number"
        )
    return number
