from datasets.datastore import fts


def test_cjk_and_digit_runs_become_overlapping_pairs_and_words_are_lower_cased():
    assert fts.tokens("臺北市 Open-Data 2024") == ["臺北", "北市", "open", "data", "20", "02", "24"]
    assert fts.tokens("市 5") == ["市", "5"]
    assert fts.tokens("台北101大樓 B2") == ["台北", "10", "01", "大樓", "b", "2"]


def test_query_needs_every_token_and_checks_runs_of_several_pairs():
    assert fts.tsquery("政府資訊 0912 Park park") == "政府 & 府資 & 資訊 & 09 & 91 & 12 & park:*"
    assert fts.phrases("政府資訊 0912 Park 12 市") == ["政府資訊", "0912", "市"]
    assert fts.tsquery("高雄 市 5") == "高雄"  # lone characters are checked, not looked up
    assert fts.tsquery("市 5") is None
    assert fts.tsquery("  ,, ") is None
    assert fts.runs("臺北市Open 12") == ["臺北市", "open", "12"]


def test_a_query_looks_for_tai_written_either_way():
    assert fts.tsquery("台北 臺中市") == "(台北 | 臺北) & (台中 | 臺中) & 中市"
    assert fts.fold("台北車站") == "臺北車站"


def test_lower_case_is_one_character_at_a_time_as_in_the_databases():
    assert fts.tokens("İSTANBUL ΟΔΟΣ") == ["istanbul", "οδοσ"]


def test_document_is_deduplicated_and_skips_huge_words():
    assert fts.document(["Park park PARK 12", None, "x" * 5000 + " 12"]) == "park 12"


def test_document_indexes_only_the_first_characters_of_a_huge_row():
    doc = fts.document(["a" * 99_997 + " 臺北市"])

    assert doc.split() == ["臺北"]


def test_row_document_has_exactly_the_tokens_of_its_cells():
    cells = ["臺北市政府 Open Data, 2024!", None, "公 園 a_b", "x" * 101 + " ok"]

    doc = fts.document(cells)

    expected = [t for cell in cells for t in fts.tokens(cell or "")]
    assert doc.split() == list(dict.fromkeys(expected))
