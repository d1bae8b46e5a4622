"""Bytes to text: encoding, BOM, control and bidi characters, NFC, or a clear rejection."""

import re
import unicodedata
from dataclasses import dataclass


class Rejected(Exception):
    """A file that cannot become a story. ``code`` is stable (for the ledger and --json);
    ``message`` says what is wrong in words an editor understands."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message)  # both in args, so it survives pickling between processes
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


# Magic numbers of formats that are sometimes dropped in the import folder by mistake.
BINARY_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"RIFF": "a RIFF file (WebP image or audio)",
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"\xd0\xcf\x11\xe0": "an old Office document",
}

UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}

# C0 controls except tab and line breaks, DEL and C1 controls, bidi embeddings,
# overrides and isolates, and invisible spaces. ZWJ/ZWNJ stay: they shape
# Devanagari conjuncts and emoji.
_REMOVED = dict.fromkeys(
    [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200B,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        0x180E,
        0x00AD,
    ]
)
_SPACES = dict.fromkeys([0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " ")
_TRANSLATION = {**_REMOVED, **_SPACES}
_RUNS_OF_SPACES = re.compile(r" {2,}")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u20ac\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc]"
)


def decode(data: bytes, max_bytes: int) -> Decoded:
    """Decode a raw story file, or raise ``Rejected``.

    Handles: UTF-8 with or without BOM; UTF-16 with BOM; cp1252/Latin-1 text
    only when it decodes to plausible letters (no mojibake, no control bytes).
    Rejects: empty files, files over ``max_bytes``, binary files (known
    signatures or NUL bytes), undecodable bytes, and whitespace-only text.
    """
    if not data:
        raise Rejected("empty", "The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise Rejected("too-large", f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    for bom, encoding in UTF16_BOMS.items():
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding), encoding)
            except UnicodeDecodeError:
                raise Rejected(
                    "undecodable", f"The file starts with a {encoding} byte-order mark but is not valid {encoding}."
                ) from None
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise Rejected("binary", f"The file is {kind}, not text.")
    if b"\x00" in data:
        raise Rejected("binary", "The file contains NUL bytes: it is binary, not text.")
    try:
        return _checked(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    text = _single_byte(data)
    if text is None:
        raise Rejected(
            "undecodable",
            f"The file is not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
            "and does not read as Windows-1252 text either.",
        )
    return _checked(text, "cp1252")


def _single_byte(data: bytes) -> str | None:
    """Windows-1252 (a superset of Latin-1's printable range), if it reads as text."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    non_ascii = [char for char in text if ord(char) > 0x7F]
    if not non_ascii or _MOJIBAKE.search(text):
        return None
    # Real Western text has letters up there; binary noise has symbols and controls.
    letters = sum(1 for char in non_ascii if unicodedata.category(char).startswith("L"))
    if letters / len(non_ascii) < 0.8:
        return None
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text):
        return None
    return text


def _checked(text: str, encoding: str) -> Decoded:
    """The decoded text, unless it is blank or mostly control characters; without NUL characters.

    A UTF-16 file can hold U+0000 (a C string's terminator, a stray NUL) where a UTF-8 file with a NUL byte
    was refused as binary: NUL is never content, and no database column can keep it (PostgreSQL refuses it
    in text), so it is removed here, before even the ledger's raw text is stored.
    """
    if not text.strip():
        raise Rejected("blank", "The file has only white space.")
    controls = len(_CONTROLS.findall(text, 0, 4096))
    if controls > 0.1 * min(len(text), 4096):
        raise Rejected("binary", "The file is mostly control characters: it is binary, not text.")
    return Decoded(text=text.replace("\x00", ""), encoding=encoding)


def normalise(text: str) -> str:
    """Text as the cleaner reads it: LF line ends, NFC, no control, bidi-override or
    zero-width characters, single spaces, no leading or trailing space on a line.

    Markup (``<script>``) is left alone: it is text, escaped wherever it is shown.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = unicodedata.normalize("NFC", text.translate(_TRANSLATION))
    return "\n".join(_RUNS_OF_SPACES.sub(" ", line).strip() for line in text.split("\n"))
