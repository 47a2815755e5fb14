"""Personal data detection: columns whose values look like identifiers of people."""

import re

EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
TW_MOBILE = re.compile(r"^(\+?886[- ]?|0)9\d{2}[- ]?\d{3}[- ]?\d{3}$")
TW_LANDLINE = re.compile(r"^(\(0\d{1,2}\)|0\d{1,2}|\+?886[- ]?\d{1,2})[- ]?\d{3,4}[- ]?\d{4}$")
INTERNATIONAL_PHONE = re.compile(r"^\+\d{1,3}[- ]?\(?\d{1,4}\)?([- ]?\d{2,4}){2,4}$")
TW_ID = re.compile(r"^[A-Z][12489]\d{8}$")
CARD = re.compile(r"^\d{4}([- ]?\d{4}){2}[- ]?\d{1,7}$")
IBAN = re.compile(r"^[A-Z]{2}\d{2}( ?[A-Z0-9]{1,4}){3,8}$")
# Letter values of Taiwan national ID prefixes, in order A..Z.
_TW_LETTERS = [10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21,
               22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33]  # fmt: skip
SAMPLE = 10_000


def is_tw_national_id(value: str) -> bool:
    value = value.strip().upper()
    if not TW_ID.match(value):
        return False
    code = _TW_LETTERS[ord(value[0]) - 65]
    digits = [code // 10, code % 10] + [int(c) for c in value[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def luhn(value: str) -> bool:
    digits = [int(c) for c in value if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_iban(value: str) -> bool:
    value = value.replace(" ", "").upper()
    if not IBAN.match(value) or not 15 <= len(value) <= 34:
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# Every value any kind above accepts matches this (a looser form of each pattern, in one
# expression, with the letter case and spaces is_tw_national_id and is_iban forgive): one
# call in C rules out most values before the kinds are tried one by one.
_ANY = re.compile(
    "|".join(
        f"(?:{pattern.removeprefix('^')})"
        for pattern in (
            EMAIL.pattern,
            TW_MOBILE.pattern,
            TW_LANDLINE.pattern,
            INTERNATIONAL_PHONE.pattern,
            r"[A-Za-z][12489]\d{8}$",
            CARD.pattern,
            r"[A-Za-z] *[A-Za-z] *\d",
        )
    )
)

KINDS = {
    "email": lambda v: bool(EMAIL.match(v)),
    "phone": lambda v: bool(
        TW_MOBILE.match(v) or TW_LANDLINE.match(v) or INTERNATIONAL_PHONE.match(v)
    ),
    "national_id": is_tw_national_id,
    "credit_card": lambda v: bool(CARD.match(v)) and luhn(v),
    "iban": is_iban,
}


class Scanner:
    """Counts, per column, the sampled values matching each kind of personal data."""

    def __init__(self, width: int):
        self.sampled = [0] * width
        self.matches = [dict.fromkeys(KINDS, 0) for _ in range(width)]

    def observe_batch(self, index: int, values: list[str]) -> None:
        """Sample the first SAMPLE values of column `index`, over as many calls as it takes."""
        room = SAMPLE - self.sampled[index]
        if room <= 0:
            return
        values = values[:room]
        self.sampled[index] += len(values)
        counts = self.matches[index]
        stripped = map(str.strip, values)
        for value in [v for v in stripped if len(v) <= 80 and _ANY.match(v)]:
            for kind, test in KINDS.items():
                if test(value):
                    counts[kind] += 1

    def findings(self, columns: list[dict], threshold: float) -> list[dict]:
        found = []
        for index, column in enumerate(columns):
            sampled = self.sampled[index]
            if not sampled:
                continue
            for kind, count in self.matches[index].items():
                share = count / sampled
                if count and share >= threshold:
                    found.append(
                        {
                            "column": column["id"],
                            "label": column["label"],
                            "kind": kind,
                            "share": round(share, 3),
                        }
                    )
        return found
