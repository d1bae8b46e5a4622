"""Pure functions: normalised text -> headline, lead, body paragraphs, captions and attribution.

Every line of the input is either kept (as headline, lead or body paragraph),
turned into structured data (a caption, the source URL, the byline, the
outlet and date) or removed; every line that is not kept is reported with the
rule that took it, so nothing disappears silently.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from newsroom.ingest import rules
from newsroom.ingest.decode import Rejected
from newsroom.text import SENTENCE_ENDINGS, looks_like_heading


@dataclass(frozen=True)
class RemovedLine:
    line: int  # 1-based, in the normalised text
    text: str
    rule: str


@dataclass(frozen=True)
class Caption:
    text: str
    credit: str = ""
    source_name: str = ""
    alt_text: str = ""


@dataclass(frozen=True)
class CleanStory:
    title: str
    title_provisional: bool
    lead: str
    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...] = ()
    source_url: str = ""
    outlet_name: str = ""
    published_on: date | None = None
    byline: str = ""
    removed: tuple[RemovedLine, ...] = field(default=())

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def text(self) -> str:
        """Everything a reader reads, for language detection and classification."""
        return "\n".join([self.title, self.lead, *self.paragraphs, *(c.text for c in self.captions)])


def _alternatives(table: dict[str, list[str]]) -> str:
    words = sorted({word for values in table.values() for word in values}, key=len, reverse=True)
    return "|".join(re.escape(word) for word in words)


@cache
def _patterns() -> dict[str, re.Pattern]:
    sources = _alternatives(rules.SOURCE_LABELS)
    credits = _alternatives(rules.CREDIT_LABELS)
    extensions = "|".join(rules.IMAGE_EXTENSIONS)
    return {
        "comment": re.compile(rf"(?:{_alternatives(rules.COMMENT_LABELS)})\s*[(（\[]\s*\d{{1,7}}\s*[)）\]]", re.I),
        "related": re.compile(rf"(?:{_alternatives(rules.RELATED_MARKERS)})\s*[:：]?", re.I),
        "source": re.compile(rf"(?:{sources})(?:\s*[:：]\s*|\s+|$)(?P<rest>.{{0,1000}})", re.I),
        "url": re.compile(r"https?://[^\s<>\"'）)]{1,2000}", re.I),
        "header": re.compile("|".join([*(re.escape(h) for h in rules.SITE_HEADERS), rules.SITE_HEADER_PATTERN]), re.I),
        # The URL may hold balanced parentheses (".../anh(1).jpg", "javascript:alert('x')"): its first ")" would
        # otherwise end it and leave ") |" at the start of the caption.
        "placeholder": re.compile(
            r"!\[(?P<alt>[^\]\n]{0,500})\]"
            r"\((?P<url>(?:[^()\s]|\([^()\s]{0,200}\)){0,2000})\)\s*\|?\s*(?P<rest>.{0,2000})"
        ),
        "image_file": re.compile(rf"(?P<name>[^\s/\\|]{{1,200}}\.(?:{extensions}))(?:\s*\|)?", re.I),
        "credit": re.compile(
            rf"(?:^|(?<=[\s(（\[.。|-]))(?:{credits})\s*[:：]\s*(?P<credit>[^()（）\[\]:：]{{1,150}}?)[)）\]]?\s*\.?$",
            re.I,
        ),
        "byline_label": re.compile(
            rf"(?:{_alternatives(rules.BYLINE_LABELS)})\s*[:：]?\s+(?P<name>[^\d:：]{{2,{rules.BYLINE_MAX_CHARS}}})",
            re.I,
        ),
        "date": re.compile(
            r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})(?:\s*[-|,]?\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?(?:\s*\(?GMT\s*[+-]\s*\d{1,2}\)?)?"
        ),
    }


def clean(text: str) -> CleanStory:
    """Turn a normalised raw story into its parts, or raise ``Rejected("no-content")``.

    Handles: site banners on top; ``![]() |`` placeholders and bare ``40.jpg``
    lines with the caption after them (a trailing ``Photo: …`` is the credit);
    glued publisher/date lines (``Báo XBáo X24/11/2025``, day first); source
    lines in any language with or without a URL; the byline above the source
    line; comment counters and everything after them; related-link blocks.
    The headline is the file's own when its first line is heading-shaped,
    otherwise the first sentence, flagged as provisional.
    """
    pattern = _patterns()
    lines = text.split("\n")
    rule: list[str | None] = [None] * len(lines)
    end = _footer_start(lines, rule, pattern)
    source_url, outlet_name, end = _source_line(lines, rule, end, pattern)
    _site_header(lines, rule, pattern)
    captions = _images(lines, rule, end, pattern)
    published_on, dated_outlet = _publisher_date(lines, rule, end, pattern)
    byline = _byline(lines, rule, end, pattern)

    kept = [line for index, line in enumerate(lines[:end]) if rule[index] is None and line]
    if not any(char.isalpha() for line in kept for char in line):
        raise Rejected("no-content", "Nothing is left after removing the site chrome: no headline and no body text.")
    if len(kept) > 1 and looks_like_heading(kept[0]) and len(kept[1]) > len(kept[0]):
        title, provisional, content = kept[0], False, kept[1:]
    else:
        title, provisional, content = provisional_headline(kept[0]), True, kept
    removed = tuple(
        RemovedLine(index + 1, lines[index], name) for index, name in enumerate(rule) if name and lines[index]
    )
    return CleanStory(
        title=title,
        title_provisional=provisional,
        lead=content[0],
        paragraphs=tuple(content[1:]),
        captions=tuple(captions),
        source_url=source_url,
        outlet_name=dated_outlet or outlet_name,
        published_on=published_on,
        byline=byline,
        removed=removed,
    )


def provisional_headline(paragraph: str) -> str:
    """The first sentence of a paragraph, cut at a word boundary when it is long."""
    limit = rules.PROVISIONAL_HEADLINE_MAX_CHARS
    head = paragraph[: limit * 4]
    ends = [head.find(mark) for mark in SENTENCE_ENDINGS if head.find(mark) > 0]
    sentence = head[: min(ends) + 1] if ends else head
    if len(sentence) <= limit:
        return sentence.rstrip(".।。")
    cut = sentence[:limit]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:、，") + "…"


def _short(line: str) -> bool:
    return 0 < len(line) <= rules.CHROME_MAX_CHARS


def _footer_start(lines: list[str], rule: list[str | None], pattern) -> int:
    """Cut at the comment counter, or at a related-links block title followed only by short lines."""
    start = None
    for index, line in enumerate(lines):
        if _short(line) and pattern["comment"].fullmatch(line):
            start = index
            break
    if start is None:
        for index, line in enumerate(lines):
            if _short(line) and pattern["related"].fullmatch(line) and all(len(rest) <= 200 for rest in lines[index:]):
                start = index
                break
    if start is None:
        return len(lines)
    rule[start] = "comment-counter" if pattern["comment"].fullmatch(lines[start]) else "related-links"
    for index in range(start + 1, len(lines)):
        rule[index] = "after-comment-counter" if rule[start] == "comment-counter" else "related-links"
    return start


def _source_line(lines, rule, end, pattern) -> tuple[str, str, int]:
    """The last ``Source: …`` line near the end; what follows it up to the footer is chrome too."""
    passed = 0
    for index in range(end - 1, -1, -1):
        line = lines[index]
        if not line:
            continue
        match = _short(line) and pattern["source"].fullmatch(line)
        if match:
            rest = match["rest"].strip()
            url_match = pattern["url"].search(rest)
            url = url_match.group(0).rstrip(".,;") if url_match else ""
            name = rest.replace(url_match.group(0), "") if url_match else rest
            name = name.strip(" -–—|:()（）[]")
            if not url and name and (len(name.split()) > 8 or name[-1] in SENTENCE_ENDINGS):
                return "", "", end  # "Source: …" opening a sentence is text, not an attribution
            rule[index] = "source-line"
            for after in range(index + 1, end):
                if lines[after]:
                    rule[after] = "after-source-line"
            return url, name, index
        passed += 1
        if len(line) > 120 or passed > 6:
            break
    return "", "", end


def _site_header(lines, rule, pattern) -> None:
    """Banners in the first two non-empty lines."""
    seen = 0
    for index, line in enumerate(lines):
        if not line:
            continue
        if seen >= 2 or not _short(line) or not pattern["header"].fullmatch(line):
            return
        rule[index] = "site-header"
        seen += 1


def _images(lines, rule, end, pattern) -> list[Caption]:
    """``![alt](url) |`` placeholders and ``40.jpg`` lines, each with the caption line after it."""
    blank_separated = "" in lines[:end]
    captions = []
    for index in range(end):
        line = lines[index]
        if rule[index] or not line or len(line) > 2500:
            continue
        placeholder = pattern["placeholder"].fullmatch(line)
        image_file = None if placeholder else (_short(line) and pattern["image_file"].fullmatch(line))
        if not placeholder and not image_file:
            continue
        rule[index] = "image-placeholder" if placeholder else "image-file"
        source_name = (placeholder["url"] if placeholder else image_file["name"]) or ""
        alt = placeholder["alt"].strip() if placeholder else ""
        caption = placeholder["rest"].strip(" |") if placeholder else ""
        if not caption:
            following = _next_line(lines, index + 1, end)
            if following is not None and not rule[following]:
                candidate = lines[following]
                adjacent = following == index + 1 and blank_separated
                if (candidate.endswith("|") or adjacent) and not pattern["placeholder"].fullmatch(candidate):
                    rule[following] = "image-caption"
                    caption = candidate.strip(" |")
        text, credit = _split_credit(caption, pattern)
        captions.append(Caption(text=text, credit=credit, source_name=source_name, alt_text=alt))
    return captions


def _next_line(lines, start, end) -> int | None:
    for index in range(start, end):
        if lines[index]:
            return index
    return None


def _split_credit(caption: str, pattern) -> tuple[str, str]:
    """``"Workers at the fair. Photo: VNA"`` -> ``("Workers at the fair.", "VNA")``."""
    if not caption or len(caption) > 2000:
        return caption, ""
    match = pattern["credit"].search(caption)
    if not match:
        return caption, ""
    return caption[: match.start()].strip(" -–—|(（["), match["credit"].strip()


def _publisher_date(lines, rule, end, pattern) -> tuple[date | None, str]:
    """A short line near the top holding a day-first date and maybe the outlet's name, glued or not."""
    checked = 0
    for index in range(end):
        line = lines[index]
        if rule[index] or not line:
            continue
        checked += 1
        if checked > 12:
            break
        if len(line) > 150:
            continue
        match = pattern["date"].search(line)
        if not match:
            continue
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        name = (line[: match.start()] + " " + line[match.end() :]).strip(" -–—|,·")
        if name and (len(name.split()) > 10 or name[-1] in SENTENCE_ENDINGS or any(c.isdigit() for c in name)):
            continue
        rule[index] = "publisher-date"
        return day, "" if "," in name else _undouble(name)
    return None, ""


def _undouble(name: str) -> str:
    """Scraped logos repeat the outlet's name: ``"Báo XBáo X"`` -> ``"Báo X"``."""
    half = len(name) // 2
    if len(name) % 2 == 0 and name[:half] == name[half:]:
        return name[:half].strip()
    return name


def _byline(lines, rule, end, pattern) -> str:
    """The author above the source line: a short name-shaped line, or a labelled one (``By …``)."""
    kept = [index for index in range(end) if lines[index] and not rule[index]]
    if len(kept) < 3:
        return ""
    index = kept[-1]
    line = lines[index]
    labelled = _short(line) and pattern["byline_label"].fullmatch(line)
    if labelled:
        rule[index] = "byline"
        return labelled["name"].strip()
    words = line.split()
    if (
        len(line) <= rules.BYLINE_MAX_CHARS
        and len(words) <= rules.BYLINE_MAX_WORDS
        and line[-1] not in SENTENCE_ENDINGS + ":：,;"
        and not any(char.isdigit() for char in line)
        and any(char.isalpha() for char in line)
    ):
        rule[index] = "byline"
        return line
    return ""
