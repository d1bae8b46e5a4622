"""Language detection on cleaned text: the script first, then a statistical model for Latin text.

Scripts used by one default language (Devanagari, kana, Hangul, Lao, Thai,
Khmer, Cyrillic, Han) decide without a model. Latin-script text goes to
lingua (models bundled in the wheel, offline), restricted to the configured
languages, because Vietnamese, English and French share the alphabet.
"""

from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.conf import settings

# (first code point, last code point, script name)
SCRIPT_RANGES = [
    (0x0041, 0x024F, "latin"),
    (0x1E00, 0x1EFF, "latin"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x1780, 0x17FF, "khmer"),
    (0x3040, 0x30FF, "kana"),
    (0x31F0, 0x31FF, "kana"),
    (0xFF66, 0xFF9F, "kana"),
    (0x1100, 0x11FF, "hangul"),
    (0x3130, 0x318F, "hangul"),
    (0xAC00, 0xD7AF, "hangul"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xF900, 0xFAFF, "han"),
]

# Languages a script can mean, most likely first; the first configured one wins.
SCRIPT_LANGUAGES = {
    "devanagari": ["hi", "mr", "ne"],
    "kana": ["ja"],
    "hangul": ["ko"],
    "lao": ["lo"],
    "thai": ["th"],
    "khmer": ["km"],
    "cyrillic": ["ru", "uk", "bg"],
    "han": ["zh-hans", "zh-hant", "zh", "ja"],
}

SAMPLE_CHARS = 4000


@dataclass(frozen=True)
class Detection:
    language: str | None
    confidence: float
    method: str  # "script" or "statistical"


def _script(char: str) -> str | None:
    point = ord(char)
    for first, last, name in SCRIPT_RANGES:
        if first <= point <= last:
            return name
    return None


def detect(text: str) -> Detection:
    """The language of a cleaned story, or ``Detection(None, …)`` when no known script is used.

    Japanese is Han plus kana: any real share of kana makes Han text Japanese.
    """
    sample = text[:SAMPLE_CHARS]
    scripts = Counter(name for char in sample if char.isalpha() and (name := _script(char)))
    total = sum(scripts.values())
    if not total:
        return Detection(None, 0.0, "script")
    if scripts["kana"] and scripts["kana"] >= 0.05 * (scripts["kana"] + scripts["han"]):
        scripts["kana"] += scripts.pop("han", 0)
    script, count = scripts.most_common(1)[0]
    share = count / total
    if script == "latin":
        return _statistical(sample, share)
    configured = settings.CONTENT_LANGUAGES
    candidates = SCRIPT_LANGUAGES.get(script, [])
    language = next((code for code in candidates if code in configured), candidates[0] if candidates else None)
    return Detection(language, round(share, 3), "script")


def _statistical(sample: str, share: float) -> Detection:
    detector, codes = _latin_detector()
    if detector is None:
        return Detection(codes[0] if codes else "en", round(share, 3), "script")
    values = detector.compute_language_confidence_values(sample)
    if not values:
        return Detection(None, 0.0, "statistical")
    best = values[0]
    code = codes[best.language]
    return Detection(code, round(best.value * share, 3), "statistical")


@cache
def _latin_detector():
    """A lingua detector over the configured languages it knows (built once per process)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    codes = {}
    for code in settings.CONTENT_LANGUAGES:
        try:
            language = Language.from_iso_code_639_1(IsoCode639_1.from_str(code.split("-")[0]))
        except ValueError:
            continue
        codes[language] = code
    latin = {language: code for language, code in codes.items() if code not in _NON_LATIN_CODES}
    if len(latin) < 2:
        return None, list(latin.values())
    return LanguageDetectorBuilder.from_languages(*latin).build(), latin


_NON_LATIN_CODES = {code for codes in SCRIPT_LANGUAGES.values() for code in codes}
