"""Stories an editor may want to relate to a story, each with the reasons it is suggested.

Candidates are the stories sharing at least one tag or topic with the story,
ranked in the database by how many they share and cut to ``MAX_CANDIDATES``;
they are then scored on the tags (places and programmes weigh more), topics,
outlet and headline similarity. The query count does not depend on the number
of stories.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsroom.languages import column, content_languages
from newsroom.models import Article, Tag
from newsroom.text import match_key

# Stories looked at beyond the best ones by shared tags and topics: enough for any page of suggestions.
MAX_CANDIDATES = 200
TAG_WEIGHTS = {Tag.Kind.PLACE: 2.0, Tag.Kind.PROGRAMME: 2.0}
DEFAULT_TAG_WEIGHT = 1.0
TOPIC_WEIGHT = 1.5
OUTLET_WEIGHT = 0.5
SIMILARITY_WEIGHT = 4.0
# Headlines and leads sharing this share of their character trigrams are "similar".
SIMILAR_TEXT = 0.2
SHINGLE_SIZE = 3
NAMES_IN_REASON = 5


@dataclass
class Suggestion:
    article: Article
    score: float
    reasons: list[str] = field(default_factory=list)


def display_fields() -> list[str]:
    """The columns a suggestion (or a related story) is shown and compared with."""
    texts = [column(name, lang) for name in ("title", "lead") for lang in content_languages()]
    return ["original_language", "status", "outlet_id", *texts]


def shingles(article: Article) -> set[str]:
    """Character trigrams of the story's headlines and leads in every language, in their match form.

    Trigrams rather than words, so that scripts written without spaces compare too.
    """
    grams: set[str] = set()
    for lang in content_languages():
        for name in ("title", "lead"):
            text = match_key(getattr(article, column(name, lang)) or "")
            grams.update(text[start : start + SHINGLE_SIZE] for start in range(len(text) - SHINGLE_SIZE + 1))
    return grams


def jaccard(left: set[str], right: set[str]) -> float:
    return len(left & right) / len(left | right) if left and right else 0.0


def related_suggestions(article: Article, limit: int = 10) -> list[Suggestion]:
    """Up to ``limit`` stories to relate to ``article``, best first, never itself nor one related already.

    Each carries human-readable reasons ("3 shared tags: Bac Ninh, Laos, OCOP", "same outlet").
    Seven queries, whatever the number of stories.
    """
    tags = {tag.pk: tag for tag in article.tags.all()}
    topics = {topic.pk: topic for topic in article.topics.all()}
    if not tags and not topics:
        return []
    related_ids = set(article.related.values_list("pk", flat=True))
    candidates = list(
        Article.objects.filter(Q(tags__in=list(tags)) | Q(topics__in=list(topics)))
        .exclude(pk__in=[article.pk, *related_ids])
        .annotate(
            shared_tags=Count("tags", filter=Q(tags__in=list(tags)), distinct=True),
            shared_topics=Count("topics", filter=Q(topics__in=list(topics)), distinct=True),
        )
        .order_by("-shared_tags", "-shared_topics", "-pk")
        .only(*display_fields())[:MAX_CANDIDATES]
    )
    ids = [candidate.pk for candidate in candidates]
    tag_links = _links(Article.tags.through, "tag_id", ids, tags)
    topic_links = _links(Article.topics.through, "topic_id", ids, topics)
    own = shingles(article)
    suggestions = []
    for candidate in candidates:
        shared_tags = sorted((tags[pk] for pk in tag_links[candidate.pk]), key=lambda tag: str(tag))
        shared_topics = sorted((topics[pk] for pk in topic_links[candidate.pk]), key=lambda topic: str(topic))
        similarity = jaccard(own, shingles(candidate))
        same_outlet = article.outlet_id is not None and candidate.outlet_id == article.outlet_id
        score = (
            sum(TAG_WEIGHTS.get(tag.kind, DEFAULT_TAG_WEIGHT) for tag in shared_tags)
            + TOPIC_WEIGHT * len(shared_topics)
            + (OUTLET_WEIGHT if same_outlet else 0.0)
            + SIMILARITY_WEIGHT * similarity
        )
        suggestions.append(
            Suggestion(candidate, round(score, 2), _reasons(shared_tags, shared_topics, same_outlet, similarity))
        )
    suggestions.sort(key=lambda suggestion: (-suggestion.score, -suggestion.article.pk))
    return suggestions[:limit]


def _links(through, target: str, ids: list[int], wanted: dict) -> dict[int, list[int]]:
    """For each story in ``ids``, which of the ``wanted`` tags or topics it has: one query."""
    links: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(article_id__in=ids, **{f"{target}__in": list(wanted)}).values_list(
        "article_id", target
    )
    for article_id, target_id in rows:
        links[article_id].append(target_id)
    return links


def _reasons(shared_tags: list, shared_topics: list, same_outlet: bool, similarity: float) -> list[str]:
    reasons = []
    if shared_tags:
        names = ", ".join(str(tag) for tag in shared_tags[:NAMES_IN_REASON])
        if len(shared_tags) > NAMES_IN_REASON:
            names += ", …"
        count = len(shared_tags)
        reasons.append(
            ngettext("%(count)d shared tag: %(names)s", "%(count)d shared tags: %(names)s", count)
            % {"count": count, "names": names}
        )
    if shared_topics:
        count = len(shared_topics)
        reasons.append(
            ngettext("shared topic: %(names)s", "%(count)d shared topics: %(names)s", count)
            % {"count": count, "names": ", ".join(str(topic) for topic in shared_topics)}
        )
    if same_outlet:
        reasons.append(_("same outlet"))
    if similarity >= SIMILAR_TEXT:
        reasons.append(_("similar headline"))
    return reasons
