"""Fill empty entries of a .po catalog from a Python dict, then compile it.

    .venv/bin/python tools/fill_po.py path/to/django.po translations.py

`translations.py` defines `T = {"English msgid": "中文", "%(n)s item": ["%(n)s 項"]}`
(a list for plural entries). Entries not in T that are still empty are listed, so you
see what is left to translate. Create a new catalog's entries with polib or makemessages.
"""

import runpy
import sys

import polib


def main(po_path: str, dict_path: str) -> None:
    po = polib.pofile(po_path)
    translations = runpy.run_path(dict_path)["T"]
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
        value = translations.get(entry.msgid)
        if value is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value[0] if isinstance(value, list) else value}
            else:
                entry.msgstr = value
        elif not (entry.msgstr or any(entry.msgstr_plural.values())):
            missing.append(entry.msgid)
    po.metadata.update(
        {
            "Plural-Forms": "nplurals=1; plural=0;",
            "Language": "zh_Hant",
            "Content-Type": "text/plain; charset=UTF-8",
        }
    )
    po.save()
    po.save_as_mofile(po_path[:-3] + ".mo")
    print("still untranslated:", missing)


if __name__ == "__main__":
    main(*sys.argv[1:3])
