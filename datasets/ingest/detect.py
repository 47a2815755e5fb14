"""What kind of file this is, from its bytes first and its name second."""

import zipfile
from pathlib import Path

INGESTIBLE = ("csv", "xlsx", "xls", "ods", "json", "jsonl", "geojson", "zip", "gzip")
_TEXT_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv"}
_JSON_SUFFIXES = {".json": "json", ".geojson": "geojson", ".jsonl": "jsonl", ".ndjson": "jsonl"}


# An OLE compound file: an XLS workbook, or an XLSX Excel encrypted with a password.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The start of a web page: what a link gives instead of its file when the server shows a
# login, an error or a "down for maintenance" page.
_WEB_PAGE = (b"<!doctype html", b"<html", b"<head", b"<body")


def detect_format(path: str | Path, name: str = "") -> str:
    """One of INGESTIBLE, "html" for a web page, "damaged" for a ZIP container (XLSX, ODS,
    ZIP) that cannot be opened, or "other" for files we store but do not ingest."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist()[:1000])
                if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                    return "xlsx"
                if "mimetype" in names:
                    mimetype = archive.read("mimetype")[:100]
                    if b"opendocument.spreadsheet" in mimetype:
                        return "ods"
                    return "other"
        except zipfile.BadZipFile:
            return "damaged"  # cut short or corrupted, or not really a ZIP
        return "zip"
    if head.startswith(OLE_SIGNATURE):
        return "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"<":
        lowered = stripped.lower()
        if lowered.startswith(_WEB_PAGE) or (
            lowered.startswith(b"<?xml") and any(tag in lowered for tag in _WEB_PAGE)
        ):
            return "html"
        if lowered.startswith(b"<?xml"):
            return "other"
    if b"\x00" in head and not (
        head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) > 8 or stray_nuls(head)
    ):
        return "other"
    if stripped[:1] in (b"[", b"{"):
        if suffix in _JSON_SUFFIXES:
            return _JSON_SUFFIXES[suffix]
        if b'"FeatureCollection"' in head or b'"Feature"' in head:
            return "geojson"
        first_line = stripped.split(b"\n", 1)[0].strip()
        if stripped[:1] == b"{" and first_line.endswith(b"}") and b"\n{" in stripped:
            return "jsonl"
        return "json"
    if suffix in _JSON_SUFFIXES:
        return _JSON_SUFFIXES[suffix]
    if suffix in _TEXT_SUFFIXES or not suffix:
        return "csv"
    if suffix in (".pdf", ".docx", ".doc", ".png", ".jpg", ".jpeg", ".shp", ".kml", ".xml"):
        return "other"
    # Unknown suffix but text-like bytes: try it as delimited text.
    return "csv" if head and (b"\x00" not in head or stray_nuls(head)) else "other"


def stray_nuls(head: bytes) -> bool:
    """Whether the NUL bytes among a file's first bytes are a few strays in text (a legacy
    export padding a field; the reader leaves them out with a warning), not the mark of
    a binary file: at most 8, and no other control bytes but tabs and line ends."""
    others = head.translate(None, b"\x00\t\n\r").translate(None, bytes(range(32, 256)))
    return 0 < head.count(0) <= 8 and not others
