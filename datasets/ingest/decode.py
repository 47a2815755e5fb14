"""Which encoding a text file is in.

Order matters: a BOM is proof; strict UTF-8 almost never decodes a legacy file by
accident; CP950 (not Big5: Taiwan files use CP950-only characters such as 碁 and 裏 that a
strict Big5 decoder rejects) must also look like Chinese text, and not like words of a
Latin alphabet; a detector only decides between the remaining single-byte code pages. The
reader decodes the whole file strictly with the chosen encoding, so a file that switches
encoding part-way fails with its row.
"""

import codecs
import re
import threading

from django.utils.translation import gettext_lazy as _

from datasets.ingest.errors import IngestError, Text

SAMPLE_BYTES = 1 << 20
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CJK_OR_PUNCT = re.compile(r"[\u3000-\u303f\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Besides letters, what Latin-alphabet text in Windows-1252/1250 is written with.
_LATIN_MARKS = frozenset("¡¿«»°£€§·‘’“”–—…")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_ALIASES = {"big5": "cp950", "big-5": "cp950", "big5-hkscs": "big5hkscs", "utf8": "utf-8"}


# CP950's user-defined characters (造字: names and addresses from household registers use
# them) decode, as on Windows, to private-use characters: lead bytes 0xFA-0xFE from
# U+E000, 0x8E-0xA0 from U+E311, 0x81-0x8D from U+EEB8, 157 to a lead byte (trail bytes
# 0x40-0x7E, then 0xA1-0xFE). Python's cp950 decodes none of these lead bytes.
_USER_DEFINED = ((0xFA, 0xFE, 0xE000), (0x8E, 0xA0, 0xE311), (0x81, 0x8D, 0xEEB8))
_seen = threading.local()


def _user_defined(exc: UnicodeError):
    if isinstance(exc, UnicodeDecodeError) and exc.start + 1 < len(exc.object):
        lead, trail = exc.object[exc.start], exc.object[exc.start + 1]
        for first, last, base in _USER_DEFINED:
            if first <= lead <= last and (0x40 <= trail <= 0x7E or 0xA1 <= trail <= 0xFE):
                cell = trail - 0x40 if trail <= 0x7E else trail - 0xA1 + 63
                _seen.count = getattr(_seen, "count", 0) + 1
                return chr(base + (lead - first) * 157 + cell), exc.start + 2
    raise exc


codecs.register_error("cp950-user-defined", _user_defined)


def decoder(encoding: str):
    """An incremental decoder failing on any byte the encoding does not define, but for
    CP950's user-defined characters (see _USER_DEFINED), which it counts."""
    errors = "cp950-user-defined" if codecs.lookup(encoding).name == "cp950" else "strict"
    return codecs.getincrementaldecoder(encoding)(errors)


def user_defined_count(reset: bool = False) -> int:
    """User-defined characters decoded in this thread (since the last reset)."""
    count = getattr(_seen, "count", 0)
    if reset:
        _seen.count = 0
    return count


def user_defined_lines(path, encoding: str) -> tuple[int, int | None]:
    """(user-defined characters in the file, the first line holding one), decoding it
    again line by line: only done when the reading passes counted some."""
    count, first, lines = 0, None, decoder(encoding)
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            found = sum("\ue000" <= c <= "\uf8ff" for c in lines.decode(raw))
            if found and first is None:
                first = number
            count += found
    return count, first


def normalize(name: str) -> str:
    """A Python codec name for a publisher's override; Big5 means CP950 in practice."""
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise IngestError(
            Text(_("Unknown encoding '%(name)s'."), name=name), code="encoding-error"
        ) from None


def _decodes(sample: bytes, encoding: str) -> str | None:
    try:
        # final=False: the sample may end in the middle of a multi-byte character.
        return decoder(encoding).decode(sample, final=False)
    except UnicodeDecodeError:
        return None


def _reads_as_latin(sample: bytes) -> bool:
    """Whether the sample reads as words in Windows-1252 or 1250: every non-ASCII character
    a letter in a word with ASCII letters, or a mark such as « or –. A short file of such
    words often decodes as CP950 too (é and s make a valid pair); Chinese text read this
    way gives symbols (¤ ¥ ¦ for the first bytes of the commonest characters) or letters
    standing alone."""
    for code_page in ("cp1252", "cp1250"):
        try:
            text = sample.decode(code_page)
        except UnicodeDecodeError:
            continue
        if all(_in_a_word(text, run) for run in _NON_ASCII_RUN.finditer(text)):
            return True
    return False


def _in_a_word(text: str, run: re.Match) -> bool:
    if not all(c.isalpha() or c in _LATIN_MARKS for c in run.group()):
        return False
    before, after = text[run.start() - 1 : run.start()], text[run.end() : run.end() + 1]
    return not any(c.isalpha() for c in run.group()) or before.isalpha() or after.isalpha()


def detect(sample: bytes) -> str:
    """The encoding of a file starting with `sample` (up to SAMPLE_BYTES)."""
    for bom, encoding in BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError as exc:
        # Several well-formed UTF-8 characters before the first bad byte: a UTF-8 file
        # that switches encoding part-way. Reading it as UTF-8 reports the row.
        prefix = sample[: exc.start].decode("utf-8")
        if sum(ord(c) > 127 for c in prefix) >= 3:
            return "utf-8"
    head = sample[:4096]
    if head and head.count(0) > len(head) // 4:
        # UTF-16 without BOM: every other byte of ASCII text is zero.
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    text = _decodes(sample, "cp950")
    if text is not None:
        non_ascii = [c for c in text if ord(c) > 127]
        ideographs = sum(bool(_CJK_OR_PUNCT.match(c)) for c in non_ascii)
        # A few user-defined characters among Chinese, not a file they make up (Latin or
        # Japanese text read as CP950 gives such pairs by the dozen).
        if sum("\ue000" <= c <= "\uf8ff" for c in non_ascii) * 5 > len(non_ascii):
            non_ascii = []
        # Mostly ideographs: Chinese, as it has always been read. Else Chinese too when it
        # does not read as Latin words: tables mark cells with ○ × ● ─, number with Ⅰ ①,
        # write α and χ2; a detector then picks Shift-JIS on a few lines, or nothing.
        if non_ascii and (ideographs > 0.8 * len(non_ascii) or not _reads_as_latin(sample)):
            return "cp950"
    from charset_normalizer import from_bytes

    best = from_bytes(
        sample, cp_isolation=["cp1250", "cp1252", "cp1251", "iso8859_2", "cp950", "shift_jis"]
    ).best()
    if best is None:
        raise IngestError(
            _("Could not tell the file's text encoding. Choose it in the ingestion settings."),
            code="encoding-error",
        )
    return best.encoding
