"""Language detection on cleaned text: the script first, then a statistical model for Latin text.

Scripts used by one default language (Devanagari, kana, Hangul, Lao, Thai,
Khmer, Cyrillic, Han) decide without a model. Latin-script text goes to
lingua (models bundled in the wheel, offline), restricted to the configured
languages, because Vietnamese, English and French share the alphabet.
"""

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from django.conf import settings

# The letters of each script that tells languages apart (Latin includes Vietnamese's extended block).
SCRIPTS = {
    "latin": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
    "cyrillic": "\u0400-\u052f",
    "devanagari": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
    "lao": "\u0e80-\u0eff",
    "khmer": "\u1780-\u17ff",
    "kana": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
}
_SCRIPT_PATTERNS = {name: re.compile(f"[{letters}]") for name, letters in SCRIPTS.items()}

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
# The statistical model's cost grows with the text; a thousand characters tell
# Vietnamese, English and French apart as surely as the whole story.
STATISTICAL_SAMPLE_CHARS = 1000


@dataclass(frozen=True)
class Detection:
    language: str | None
    confidence: float
    method: str  # "script" or "statistical"


def detect(text: str) -> Detection:
    """The language of a cleaned story, or ``Detection(None, …)`` when no known script is used.

    Japanese is Han plus kana: any real share of kana makes Han text Japanese.
    """
    sample = text[:SAMPLE_CHARS]
    scripts = Counter({name: len(pattern.findall(sample)) for name, pattern in _SCRIPT_PATTERNS.items()})
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
    values = detector.compute_language_confidence_values(sample[:STATISTICAL_SAMPLE_CHARS])
    if not values:
        return Detection(None, 0.0, "statistical")
    best = values[0]
    code = codes[best.language]
    return Detection(code, round(best.value * share, 3), "statistical")


def warm_up() -> None:
    """Load the statistical model now (before forking workers that share it)."""
    _latin_detector()


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
