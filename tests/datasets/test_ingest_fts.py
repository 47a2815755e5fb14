from datasets.datastore import fts


def test_cjk_runs_become_overlapping_bigrams_and_words_are_lower_cased():
    assert fts.tokens("臺北市 Open-Data 2024") == ["臺北", "北市", "open", "data", "2024"]
    assert fts.tokens("市") == ["市"]
    assert fts.tokens("台北101大樓") == ["台北", "101", "大樓"]


def test_query_matches_a_substring_of_an_indexed_cjk_run():
    indexed = set(fts.document(["臺北市政府資訊局"]).split())

    assert set(fts.tsquery("政府資訊").split(" & ")) <= indexed
    assert fts.tsquery("  ,, ") is None


def test_document_is_deduplicated_and_skips_huge_tokens():
    doc = fts.document(["Park park PARK", "x" * 5000, None])

    assert doc == "park"


def test_row_document_has_exactly_the_tokens_of_its_cells():
    cells = ["臺北市政府 Open Data, 2024!", None, "公 園 a_b", "x" * 101 + " ok"]

    doc = fts.document(cells)

    expected = set()
    for cell in cells:
        expected |= set(fts.tokens(cell or ""))
    assert set(doc.split()) == expected
    assert len(doc.split()) == len(expected)
