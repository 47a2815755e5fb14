"""Every catalog is fully translated and its compiled .mo matches the .po."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(
    path
    for pattern in ("locale", "*/locale", "*/*/locale")
    for path in ROOT.glob(f"{pattern}/zh_Hant/LC_MESSAGES/django.po")
    if ".venv" not in path.parts
)


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {po_path}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:10]}"
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgid, e.msgstr) for e in mo if not e.msgid_plural}
    expected = {(e.msgid, e.msgstr) for e in po.translated_entries() if not e.msgid_plural}
    assert expected <= compiled, "run `make messages` (or compilemessages) to rebuild the .mo"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_reader_sees_each_catalogs_own_words(po_path):
    """Django merges every catalog (ours and the libraries') and the first that has a
    message wins, so one app's word could show where another's was meant ("Created" read
    建立者 on the API keys page, a column type "text" 內文). Words that mean different
    things take a context; the same message reads the same everywhere."""
    from django.utils import translation

    po = polib.pofile(str(po_path))
    with translation.override("zh-hant"):
        overridden = [
            (e.msgctxt, e.msgid, e.msgstr, seen)
            for e in po.translated_entries()
            if not e.msgid_plural
            and (
                seen := translation.pgettext(e.msgctxt, e.msgid)
                if e.msgctxt
                else translation.gettext(e.msgid)
            )
            != e.msgstr
        ]
    assert not overridden, f"another catalog's word is shown instead: {overridden[:10]}"
