"""Validate newsroom/registry/tags.json.

Usage: python newsroom/registry/check_tags.py [path] [--warn]

Exits non-zero on errors. With --warn it also lists possible overlaps between
tags (an alias of one tag occurring inside an alias of another), which are
allowed but worth a human look. Keys are compared as TagAlias.key is built
(NFKC, case-folded, single-spaced); tag names are matched too, so every name
must also be an alias and obey the same uniqueness rule.
"""

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

LANGS = ["vi", "en", "hi", "ja", "zh-hans", "ko", "fr", "ru", "lo"]
KINDS = {"place", "organisation", "programme", "subject", "person"}
TOPICS = {None, "cross-border-cooperation", "ocop", "industrial-promotion"}
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# scripts matched as substrings (everything else is matched on whole words)
SUBSTRING_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u0e80-\u0eff]")
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
LATIN_LETTER_RE = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")
# 34 provincial-level units after Resolution 202/2025/QH15
CURRENT_VN = {
    "hanoi",
    "ho-chi-minh-city",
    "hai-phong",
    "da-nang",
    "can-tho",
    "hue",
    "tuyen-quang",
    "cao-bang",
    "lai-chau",
    "lao-cai",
    "thai-nguyen",
    "dien-bien",
    "lang-son",
    "son-la",
    "phu-tho",
    "bac-ninh",
    "quang-ninh",
    "hung-yen",
    "ninh-binh",
    "thanh-hoa",
    "nghe-an",
    "ha-tinh",
    "quang-tri",
    "quang-ngai",
    "gia-lai",
    "khanh-hoa",
    "lam-dong",
    "dak-lak",
    "dong-nai",
    "tay-ninh",
    "vinh-long",
    "dong-thap",
    "ca-mau",
    "an-giang",
}


def key(text):
    """Same as newsroom.text.match_key: NFKC, case-folded, single-spaced (the TagAlias.key)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def main(argv):
    path = Path(next((a for a in argv[1:] if not a.startswith("--")), Path(__file__).with_name("tags.json")))
    warn = "--warn" in argv
    tags = json.loads(path.read_text(encoding="utf-8"))
    errors = []
    seen_slugs = set()
    owner = {}
    for i, t in enumerate(tags):
        slug = t.get("slug", f"#{i}")
        if not SLUG_RE.match(slug or ""):
            errors.append(f"{slug}: bad slug")
        if slug in seen_slugs:
            errors.append(f"{slug}: duplicate slug")
        seen_slugs.add(slug)
        if t.get("kind") not in KINDS:
            errors.append(f"{slug}: bad kind {t.get('kind')!r}")
        if t.get("topic") not in TOPICS:
            errors.append(f"{slug}: bad topic {t.get('topic')!r}")
        if len(slug) > 100 or len(t.get("note", "")) > 300:
            errors.append(f"{slug}: slug or note too long for the model")
        for v in [*(t.get("names") or {}).values(), *(t.get("aliases") or [])]:
            if len(v) > 200:
                errors.append(f"{slug}: longer than 200 characters: {v[:40]!r}...")
        extra = set(t) - {"slug", "kind", "topic", "names", "aliases", "note"}
        if extra:
            errors.append(f"{slug}: unexpected fields {sorted(extra)}")
        names = t.get("names") or {}
        if set(names) != set(LANGS):
            errors.append(f"{slug}: names keys {sorted(names)}")
        for lang in LANGS:
            v = names.get(lang)
            if not isinstance(v, str) or not v.strip():
                errors.append(f"{slug}: empty name for {lang}")
            elif v != unicodedata.normalize("NFC", v):
                errors.append(f"{slug}: name {lang} not NFC")
        aliases = t.get("aliases") or []
        local = set()
        for a in aliases:
            if a != unicodedata.normalize("NFC", a) or a != a.strip():
                errors.append(f"{slug}: alias not NFC/stripped: {a!r}")
            k = key(a)
            if k in local:
                errors.append(f"{slug}: duplicate alias {a!r}")
            local.add(k)
            if k in owner and owner[k] != slug:
                errors.append(f"alias {a!r} in both {owner[k]} and {slug}")
            owner.setdefault(k, slug)
            if len(k) < 2:
                errors.append(f"{slug}: alias key shorter than 2 (ignored by the matcher): {a!r}")
            if CJK_RE.search(a) and len(a) < 2:
                errors.append(f"{slug}: 1-character CJK alias {a!r}")
            if not SUBSTRING_RE.search(a) and LATIN_LETTER_RE.search(a) and len(a) < 3:
                errors.append(f"{slug}: Latin alias shorter than 3: {a!r}")
            if k in {"lao", "nam", "son", "binh"}:
                errors.append(f"{slug}: forbidden alias {a!r}")
        missing = [n for n in names.values() if key(n) not in local]
        if missing:
            errors.append(f"{slug}: names missing from aliases: {missing}")
    topics_file = path.with_name("topics.json")
    if topics_file.exists():
        known = {item["slug"] for item in json.loads(topics_file.read_text(encoding="utf-8"))}
        for t in tags:
            if t.get("topic") and t["topic"] not in known:
                errors.append(f"{t['slug']}: topic {t['topic']!r} not in topics.json")
    by = {t["slug"]: t for t in tags}
    cur = [s for s in CURRENT_VN if s in by]
    if len(cur) != 34:
        errors.append(f"current Vietnamese units: {len(cur)} != 34 (missing {sorted(CURRENT_VN - set(by))})")
    for s in cur:
        if by[s]["kind"] != "place" or by[s]["topic"] is not None or by[s].get("note", "").startswith("Merged into"):
            errors.append(f"{s}: should be a current Vietnamese unit")
    former = [t for t in tags if t.get("note", "").startswith("Merged into")]
    if len(former) != 29:
        errors.append(f"former provinces: {len(former)} != 29")
    for t in former:
        target = re.match(r"Merged into (.+?) in 2025", t["note"]).group(1)
        if not any(by[s]["names"]["en"] == target for s in cur):
            errors.append(f"{t['slug']}: merged into unknown unit {target!r}")

    if warn:
        # overlaps: alias A found inside alias B of another tag
        items = [(key(a), a, t["slug"]) for t in tags for a in t["aliases"]]
        for ka, a, sa in items:
            sub = bool(SUBSTRING_RE.search(a))
            pat = None if sub else re.compile(r"(?<!\w)" + re.escape(ka) + r"(?!\w)")
            for kb, b, sb in items:
                if sa == sb or ka == kb:
                    continue
                if (sub and ka in kb) or (not sub and pat.search(kb)):
                    print(f"overlap: {sa}:{a!r} inside {sb}:{b!r}")

    kinds = Counter(t["kind"] for t in tags)
    print(
        f"{len(tags)} tags {dict(kinds)}; {sum(len(t['aliases']) for t in tags)} aliases; "
        f"{len(cur)} current VN units, {len(former)} former provinces; "
        f"topics {dict(Counter(t['topic'] for t in tags))}"
    )
    for e in errors:
        print("ERROR:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
