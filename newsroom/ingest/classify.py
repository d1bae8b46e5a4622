"""Topics and tags from the editable registry of keywords and aliases, in any script.

The registry (tag aliases and names, topic keywords) is read from the
database once per import run into a ``Registry``; matching a story is then a
single pass of two trie-shaped regular expressions over its text, so ten
thousand aliases cost about as much as ten.
"""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from newsroom.text import match_key

# A topic needs this many points to be given, and the secondary topics at
# least this share of the leading topic's points.
MIN_TOPIC_SCORE = 3
SECONDARY_TOPIC_SHARE = 0.6
# Points a mention of a tag brings to the topic the tag implies, and how many
# mentions of one tag or keyword count at most.
TAG_TOPIC_WEIGHT = 2
MAX_COUNTED_MENTIONS = 5
# Mentions in the headline and lead weigh this much more.
PROMINENT_FACTOR = 2

# Scripts written without spaces between words: their names match inside words.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Mention:
    slug: str
    alias: str
    where: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Classification:
    topics: tuple[str, ...]  # primary first
    scores: dict[str, int]
    tags: tuple[Mention, ...]
    keywords: tuple[Mention, ...]

    def as_json(self) -> dict:
        return {
            "topics": list(self.topics),
            "scores": self.scores,
            "tags": [m.__dict__ | {"where": list(m.where)} for m in self.tags],
            "keywords": [m.__dict__ | {"where": list(m.where)} for m in self.keywords],
        }


@dataclass
class _Matcher:
    pattern: re.Pattern | None
    targets: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)  # key -> (slug, weight, label)

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str, int]]) -> "_Matcher":
        targets: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for slug, label, weight in entries:
            key = match_key(label)
            if len(key) >= 2 and all(slug != existing[0] for existing in targets[key]):
                targets[key].append((slug, weight, label))
        return cls(re.compile(_trie_pattern(targets)) if targets else None, dict(targets))

    def find(self, text: str) -> Iterable[str]:
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            key = match.group(0)
            if _bounded(text, match.start(), match.end(), key):
                yield key


@dataclass
class Registry:
    tags: _Matcher
    keywords: _Matcher
    tag_topics: dict[str, str]

    @classmethod
    def build(
        cls,
        tag_names: Iterable[tuple[str, str]],
        topic_keywords: Iterable[tuple[str, str, int]],
        tag_topics: dict[str, str],
    ) -> "Registry":
        """``tag_names``: (tag slug, alias or name); ``topic_keywords``: (topic slug, phrase, weight);
        ``tag_topics``: tag slug -> the topic its mentions count towards."""
        return cls(
            tags=_Matcher.build((slug, name, 1) for slug, name in tag_names),
            keywords=_Matcher.build(topic_keywords),
            tag_topics=dict(tag_topics),
        )


def classify(parts: list[tuple[str, str]], registry: Registry) -> Classification:
    """Score topics and find tags in a story given as (where, text) parts.

    ``where`` names the part (``"title"``, ``"lead"``, ``"paragraph 3"``,
    ``"caption 1"``); it is kept as evidence for editors. A story may get
    several topics: every topic with enough points and at least
    ``SECONDARY_TOPIC_SHARE`` of the leader's.
    """
    keywords = _mentions(parts, registry.keywords)
    tag_labels = _mentions(parts, registry.tags)
    scores: Counter[str] = Counter()
    for mention in keywords:
        weight = max(w for slug, w, _ in registry.keywords.targets[match_key(mention.alias)] if slug == mention.slug)
        scores[mention.slug] += weight * mention.count
    counted = {(mention.slug, match_key(mention.alias)) for mention in keywords}
    for mention in tag_labels:
        topic = registry.tag_topics.get(mention.slug)
        # A name that is also the topic's keyword ("OCOP") has been counted already.
        if topic and (topic, match_key(mention.alias)) not in counted:
            scores[topic] += TAG_TOPIC_WEIGHT * mention.count
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    topics: tuple[str, ...] = ()
    if ranked and ranked[0][1] >= MIN_TOPIC_SCORE:
        leader = ranked[0][1]
        topics = tuple(
            slug for slug, score in ranked if score >= MIN_TOPIC_SCORE and score >= SECONDARY_TOPIC_SHARE * leader
        )
    return Classification(topics=topics, scores=dict(ranked), tags=_by_target(tag_labels), keywords=tuple(keywords))


def _mentions(parts: list[tuple[str, str]], matcher: _Matcher) -> list[Mention]:
    """One mention per (target, label): weighted count (prominent parts count more, capped) and where."""
    counts: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for part, text in parts:
        factor = PROMINENT_FACTOR if part in {"title", "lead"} else 1
        for key in matcher.find(match_key(text)):
            for slug, _weight, label in matcher.targets[key]:
                counts[slug, label] += factor
                if part not in where[slug, label]:
                    where[slug, label].append(part)
    return [
        Mention(slug, label, tuple(where[slug, label]), min(count, MAX_COUNTED_MENTIONS))
        for (slug, label), count in counts.most_common()
    ]


def _by_target(mentions: list[Mention]) -> tuple[Mention, ...]:
    """Mentions of one target under several labels, as one: the commonest label, every place, all counts."""
    merged: dict[str, Mention] = {}
    for mention in mentions:
        if previous := merged.get(mention.slug):
            where = tuple(dict.fromkeys([*previous.where, *mention.where]))
            merged[mention.slug] = Mention(mention.slug, previous.alias, where, previous.count + mention.count)
        else:
            merged[mention.slug] = mention
    return tuple(sorted(merged.values(), key=lambda m: (-m.count, m.slug)))


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regular expression for many literal keys, shaped as a trie so each position
    is tried against a handful of branches, longest match first."""
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return (f"(?:{body})" if len(branches) == 1 and len(branches[0]) > 1 else body) + "?"
    return body


def _word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) in {"Mn", "Mc"}


def _bounded(text: str, start: int, end: int, key: str) -> bool:
    """Whole words for spaced scripts (Latin, Cyrillic, Devanagari); anywhere for CJK, Hangul, Lao."""
    glued_before = start > 0 and _word_char(text[start - 1]) and _word_char(key[0]) and not _UNSPACED.match(key[0])
    glued_after = end < len(text) and _word_char(text[end]) and _word_char(key[-1]) and not _UNSPACED.match(key[-1])
    return not glued_before and not glued_after
