"""Full-text search helpers shared by the catalog and the datastore.

PostgreSQL's default parser keeps a run of Chinese characters as one token, so `公車`
would never match inside `臺北市公車路線`. We therefore rewrite every CJK run into its
single characters and overlapping bigrams (`臺北市` -> `臺 北 市 臺北 北市`) both when
indexing and when querying; Latin words go through the `english` stemmer unchanged.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value

SEARCH_CONFIG = "english"

# CJK Unified Ideographs (+ Extension A, compatibility), Hiragana/Katakana and Hangul.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def cjk_expand(text: str) -> str:
    """Text for to_tsvector: each CJK run becomes its characters and its bigrams."""
    if not text:
        return ""

    def expand(match: re.Match) -> str:
        run = match.group(0)
        return " " + " ".join([*run, *_bigrams(run)]) + " " if len(run) > 1 else f" {run} "

    return _CJK_RUN.sub(expand, text)


def query_terms(query: str) -> list[str]:
    """Terms a query must all match: Latin words as typed, CJK runs as their bigrams."""
    terms: list[str] = []
    for piece in _TOKEN.findall(_CJK_RUN.sub(lambda m: f" {m.group(0)} ", query or "")):
        terms.extend(_bigrams(piece) if _CJK_RUN.fullmatch(piece) else [piece.lower()])
    return list(dict.fromkeys(terms))


def search_query(query: str) -> SearchQuery | None:
    """A tsquery ANDing every term; the last Latin word also matches as a prefix."""
    terms = query_terms(query)
    if not terms:
        return None
    parts = [term.replace("'", "") for term in terms]
    if not _CJK_RUN.search(parts[-1]):
        parts[-1] = f"{parts[-1]}:*"
    return SearchQuery(" & ".join(parts), search_type="raw", config=SEARCH_CONFIG)


def weighted_vector(*weighted_texts: tuple[str, str]) -> SearchVector:
    """A tsvector expression from (text, weight) pairs, weights 'A' (highest) to 'D'."""
    vectors = [
        SearchVector(Value(cjk_expand(text)), weight=weight, config=SEARCH_CONFIG)
        for text, weight in weighted_texts
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined
