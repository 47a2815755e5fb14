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
