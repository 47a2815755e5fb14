"""Full-text tokens for datastore tables, shared by the loader and the query side.

PostgreSQL's `simple` parser treats a run of CJK characters as one word, so a search for
"臺北" would never match "臺北市政府". A text is cut into runs: CJK characters, ASCII
digits, and other letters and numbers (words). Words are indexed lower-cased, as they
are. CJK and digit runs are indexed as overlapping pairs of characters (a run of one as
itself). A search needs every token of the query; a run of more than one pair is then
checked against the text itself (`phrases`), so "臺北市" matches 臺北市政府 but not
"北市 ... 臺北", and "2345" finds 12345. A query's lone CJK character or digit is no token
(no pair holds it alone) but such a check only: "市" finds 臺北市 too. A word of the query
finds the words it begins ("tai" finds Taipei), as on SQLite, where any run is looked for
as a substring of the text. A query's 台 also finds 臺 and the other way round (VARIANTS).

Digits are paired like CJK because every distinct token is one entry in the GIN index:
case numbers, phone numbers and addresses in a million rows would each add an entry
(building such an index took 4.8 s of the 5.3 s it took in all), while 100 digit pairs
hold them all.

    >>> tokens("臺北市 Open Data 2024")
    ['臺北', '北市', 'open', 'data', '20', '02', '24']
    >>> tsquery("臺北市 2024 open 5"), phrases("臺北市 2024 open 5")
    ('(台北 | 臺北) & 北市 & 20 & 02 & 24 & open:*', ['臺北市', '2024', '5'])
"""

import functools
import itertools
import re

# Han (incl. extension A and compatibility ideographs), kana, Hangul and bopomofo: scripts
# written without spaces between words.
_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_RUN = re.compile(rf"[{_CJK}]+|[0-9]+|[^\W_0-9{_CJK}]+")
_PAIRED = re.compile(rf"[{_CJK}0-9]")
# Words longer than this are dropped: PostgreSQL refuses words over 2047 bytes, and a
# 200 KB cell of base64 is not something anyone searches for.
MAX_TOKEN_LENGTH = 100
# Characters of a row's text that are indexed. A tsvector holds at most 1 MB of tokens,
# and pairs double the text: 100,000 characters of any script stay under it.
MAX_DOCUMENT_LENGTH = 100_000


# Characters Taiwan writes either way, each to the one its texts are compared in: 台北 and
# 臺北 are one city, and a search typed with either finds both. Only queries are folded
# (the index keeps the text as written), so tables loaded before stay searchable.
VARIANTS = {"台": "臺"}
_FOLD = str.maketrans(VARIANTS)


def fold(text: str) -> str:
    """`text` with each variant character as the one it is compared as (台 -> 臺)."""
    return text.translate(_FOLD)


def _spellings(token: str) -> list[str]:
    """Every way `token` may be written in the index (台北 -> 台北, 臺北)."""
    choices = [
        sorted({fold(char), *(v for v, folded in VARIANTS.items() if folded == fold(char))})
        for char in token
    ]
    return ["".join(chars) for chars in itertools.product(*choices)]


def lower(text: str) -> str:
    """Lower case one character at a time, as DuckDB and PostgreSQL do: Python's lower()
    alone turns İ into two characters and a word-final Σ into ς."""
    return text.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()


def _tokens_of(run: str) -> tuple[str, ...]:
    if len(run) == 1:
        return (run,)
    if _PAIRED.match(run):
        return tuple(map(str.__add__, run, run[1:]))
    return (run,) if len(run) <= MAX_TOKEN_LENGTH else ()


# Words, short numbers and names come back again and again in a column: their tokens are
# remembered (the Python ingestion route tokenises every text cell). Only short runs, so
# the cache stays a few megabytes.
_tokens_of_short = functools.lru_cache(maxsize=1 << 16)(_tokens_of)
_SHORT_RUN = 24


def _run_tokens(run: str) -> tuple[str, ...]:
    return _tokens_of_short(run) if len(run) <= _SHORT_RUN else _tokens_of(run)


def runs(text: str) -> list[str]:
    """The lower-cased runs of `text`, in order (a query's words: each must be found)."""
    return _RUN.findall(lower(text))


def _tokens(lowered: str) -> list[str]:
    short, cached, computed = _SHORT_RUN, _tokens_of_short, _tokens_of  # the hot loop: inlined
    return [
        token
        for run in _RUN.findall(lowered)
        for token in (cached(run) if len(run) <= short else computed(run))
    ]


def tokens(text: str) -> list[str]:
    """Search tokens of `text`, in order, with repeats."""
    return _tokens(lower(text))


def sqlite_document(values) -> str:
    """The `_fts` value on SQLite: lower-cased text cells joined for LIKE matching."""
    return lower(" ".join([v for v in values if v]))


def document(values) -> str:
    """The `_fts` value for one row's text cells on PostgreSQL: distinct tokens separated by
    spaces, which is `tsvector` input (tokens hold only word characters). Only the first
    MAX_DOCUMENT_LENGTH characters count."""
    return " ".join(dict.fromkeys(_tokens(sqlite_document(values)[:MAX_DOCUMENT_LENGTH])))


def _lone(run: str) -> bool:
    """A CJK character or digit on its own: in the index only where the text has it alone."""
    return len(run) == 1 and _PAIRED.match(run) is not None


def tsquery(query: str) -> str | None:
    """`tsquery` input matching rows that hold every token of `query` (lone CJK characters
    and digits aside: see `phrases`), or None when there is no such token. A word matches
    the words it begins, as one types: "tai" finds Taipei."""
    found = [
        _either(token) if _PAIRED.match(run) else f"{token}:*"
        for run in runs(query)
        if not _lone(run)
        for token in _run_tokens(run)
    ]
    return " & ".join(dict.fromkeys(found)) or None


def _either(token: str) -> str:
    spellings = _spellings(token)
    return token if len(spellings) == 1 else "(" + " | ".join(spellings) + ")"


def phrases(query: str) -> list[str]:
    """The runs of `query` to look for in the text itself: those made of more than one pair
    (rows with all their pairs hold the run only if their text contains it), lone CJK
    characters or digits, and words too long to be tokens (never in the index, yet in
    the text)."""
    return [run for run in dict.fromkeys(runs(query)) if _lone(run) or len(_run_tokens(run)) != 1]
