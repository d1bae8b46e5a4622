"""bytes -> text: encodings, rejections with specific reasons, and normalisation."""

import unicodedata

import pytest

from newsroom.ingest.decode import Rejected, decode, normalise
from tests.conftest import DATA, DECODE_REJECTIONS

LIMIT = 5 * 1024 * 1024


def reason(name: str, limit: int = LIMIT) -> str:
    with pytest.raises(Rejected) as error:
        decode((DATA / name).read_bytes(), limit)
    assert error.value.message, "a rejection always explains itself"
    return error.value.code


@pytest.mark.parametrize(("name", "code"), DECODE_REJECTIONS)
def test_rejects_with_a_specific_reason(name, code):
    """Empty, blank, binary and undecodable files are refused, each with its own reason."""
    assert reason(name) == code


def test_rejects_files_over_the_size_limit():
    """A file over the limit is refused before it is decoded, and the message gives both sizes."""
    with pytest.raises(Rejected) as error:
        decode((DATA / "too_large.txt").read_bytes(), 100)
    assert error.value.code == "too-large"
    assert "620" in error.value.message and "100" in error.value.message


def test_png_rejection_names_the_format():
    """An image dropped in the import folder is called what it is."""
    with pytest.raises(Rejected, match="PNG"):
        decode((DATA / "image.png").read_bytes(), LIMIT)


def test_utf8_bom_is_dropped():
    """A UTF-8 byte-order mark is not part of the text."""
    decoded = decode((DATA / "utf8_bom.txt").read_bytes(), LIMIT)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith("Tỉnh Bắc Ninh")


def test_utf16_with_bom_is_read():
    """UTF-16 files announce themselves with a BOM and are read as such."""
    decoded = decode((DATA / "utf16_bom.txt").read_bytes(), LIMIT)
    assert decoded.encoding == "utf-16-le"
    assert decoded.text.startswith("Bac Ninh hosts")


def test_cp1252_accepted_when_it_reads_as_text():
    """A Windows-1252 French story decodes to real letters, curly apostrophe included."""
    decoded = decode((DATA / "cp1252.txt").read_bytes(), LIMIT)
    assert decoded.encoding == "cp1252"
    assert "l\u2019Industrie" in decoded.text and "très" in decoded.text


def test_utf8_mojibake_is_not_taken_for_cp1252():
    """Double-encoded UTF-8 that is not valid UTF-8 any more is refused, not garbled further."""
    garbled = "Bắc Ninh".encode().decode("cp1252", errors="replace").encode("utf-8", errors="replace")
    broken = garbled + b"\xff\xfe\x81"
    with pytest.raises(Rejected) as error:
        decode(broken, LIMIT)
    assert error.value.code == "undecodable"


def test_crlf_becomes_lf():
    """Windows line ends are normalised; no stray carriage return is left."""
    text = normalise(decode((DATA / "crlf.txt").read_bytes(), LIMIT).text)
    assert "\r" not in text
    assert text.split("\n")[0] == "Quảng Ninh đẩy mạnh thương mại biên giới"


def test_normalise_strips_controls_bidi_and_zero_width_and_composes():
    """Control, bidi-override and zero-width characters go; decomposed Vietnamese becomes NFC."""
    text = normalise(decode((DATA / "controls_bidi.txt").read_bytes(), LIMIT).text)
    for char in ["\u200b", "\u202e", "\u2066", "\u2069", "\u0007", "\u001b"]:
        assert char not in text
    assert text.startswith("Hai Phong boosts supporting industry")
    assert "Công nghiệp hỗ trợ" in text
    assert unicodedata.is_normalized("NFC", text)


def test_normalise_keeps_joiners_that_shape_devanagari():
    """ZWJ and ZWNJ change how Hindi renders; they are kept."""
    assert normalise("क्\u200dष") == "क्\u200dष"


def test_markup_is_left_as_text():
    """Markup is not parsed or stripped by the decoder: it is text to be escaped when shown."""
    assert normalise('<script>alert("x")</script>') == '<script>alert("x")</script>'


def test_two_million_character_line_decodes_quickly():
    """A single 2,000,000-character line is decoded whole (bench/import_bench.py times it)."""
    data = ("Bắc Ninh " * 250_000).encode()
    text = normalise(decode(data, LIMIT).text)
    assert len(text) == 2_249_999
