"""Full-text tokens for datastore tables, shared by the loader and the query side.

PostgreSQL's `simple` parser treats a run of CJK characters as one word, so a search for
"臺北" would never match "臺北市政府". We index overlapping bigrams of every CJK run
(plus a lone CJK character as itself) and lower-cased words of everything else. Queries
are tokenised by the same function, so "臺北市" becomes "臺北 & 北市" and matches any text
containing that run.

    >>> tokens("臺北市 Open Data 2024")
    ['臺北', '北市', 'open', 'data', '2024']
"""

import re

# Han (incl. extension A and compatibility ideographs), kana, Hangul and bopomofo: scripts
# written without spaces between words.
_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# Lexemes longer than this are dropped: PostgreSQL refuses words over 2047 bytes, and a
# 200 KB cell of base64 is not something anyone searches for.
MAX_TOKEN_LENGTH = 100


def tokens(text: str) -> list[str]:
    """Search tokens of `text`, in order, with repeats."""
    out: list[str] = []
    for cjk, word in _TOKEN.findall(text.lower()):
        if cjk:
            if len(cjk) == 1:
                out.append(cjk)
            else:
                out.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif len(word) <= MAX_TOKEN_LENGTH:
            out.append(word)
    return out


_WORD = re.compile(rf"[^\W_{_CJK}]+")
_RUN = re.compile(rf"[{_CJK}]+")


def document(values) -> str:
    """The `_fts` value for one row's text cells on PostgreSQL: distinct tokens separated by
    spaces, which is valid `tsvector` input (tokens hold only word characters).

    Same tokens as `tokens()`, computed with whole-string regex passes because this runs
    once per row of every upload."""
    text = " ".join([v for v in values if v]).lower()
    if not text:
        return ""
    words = _WORD.findall(text)
    if words and max(map(len, words)) > MAX_TOKEN_LENGTH:
        words = [w for w in words if len(w) <= MAX_TOKEN_LENGTH]
    for run in _RUN.findall(text):
        if len(run) == 1:
            words.append(run)
        else:
            words.extend(map(str.__add__, run, run[1:]))
    return " ".join(dict.fromkeys(words))


def sqlite_document(values) -> str:
    """The `_fts` value on SQLite: lower-cased text cells joined for LIKE matching."""
    return " ".join(v.lower() for v in values if v)


def tsquery(query: str) -> str | None:
    """A `to_tsquery('simple', ...)` string matching rows that contain every token of
    `query`, or None when the query has no searchable token."""
    words = list(dict.fromkeys(tokens(query)))
    if not words:
        return None
    return " & ".join(words)
