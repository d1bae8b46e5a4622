"""The stories the benchmarks search and serve: N published stories written in bulk, with their links.

``child_generate(N)`` runs inside a child process after ``django.setup()`` on a
freshly migrated database: it writes N stories with ``bulk_create`` in batches
of 2,000, published over the last two years, in the nine content languages
(bench/stories.py), each with a primary topic and sometimes a second one of the
three topics, 2–4 registry tags (the desk's frequent ones drawn eight times as
often), related links to earlier stories for about 40% of them (stored in both
directions), and about 20% with a second language version. The same seed gives
the same stories on every run. ``bulk_create`` sends no signals: the search index
is built afterwards (``newsroom.search.rebuild()``).
"""

import random
import sys
import time
from datetime import timedelta

import stories
from import_bench import BenchError

SEED = 20251125
BATCH = 2000
TRANSLATED_SHARE = 0.2
TWO_YEARS_SECONDS = 2 * 365 * 24 * 3600
TOPICS = ("industrial-promotion", "ocop", "cross-border-cooperation")
# Tags most stories of this desk carry: drawn eight times as often as the rest of the registry.
FREQUENT_TAGS = ("bac-ninh", "lang-son", "guangxi", "laos", "xaisomboun", "ocop", "industrial-promotion-programme")


def child_generate(count: int) -> dict:
    """``count`` published stories in bulk, with their links; what was written."""
    from django.db import transaction
    from django.utils import timezone

    from newsroom.languages import column, content_languages
    from newsroom.models import Article, Outlet, Tag, Topic
    from newsroom.planner import refresh_statistics

    rng = random.Random(SEED)
    languages = content_languages()
    missing = [language for language in languages if language not in stories.BY_CODE]
    if missing:
        raise BenchError(f"no vocabulary for content language(s) {missing} in bench/stories.py")
    topic_ids = list(Topic.objects.filter(slug__in=TOPICS).values_list("pk", flat=True))
    if len(topic_ids) != len(TOPICS):
        raise BenchError(f"expected the topics {TOPICS} after migrate, found {len(topic_ids)}")
    tags = list(Tag.objects.order_by("slug").values_list("pk", "slug"))
    if not tags:
        raise BenchError("no tags after migrate (the registry migration did not run?)")
    tag_ids = [pk for pk, _ in tags]
    tag_weights = [8 if slug in FREQUENT_TAGS else 1 for _, slug in tags]
    outlet_ids = [*Outlet.objects.values_list("pk", flat=True), None]
    TopicLink, TagLink, RelatedLink = Article.topics.through, Article.tags.through, Article.related.through
    now = timezone.now()

    def version(language: str) -> dict[str, str]:
        made = stories.text(rng, language)
        return {column(field, language): getattr(made, field) for field in ("title", "lead", "body")}

    started = time.perf_counter()
    recent: list[int] = []
    documents = translations = tag_links = related_links = 0
    for start in range(0, count, BATCH):
        articles = []
        for index in range(start, min(count, start + BATCH)):
            language = rng.choice(languages)
            texts = version(language)
            versions = {language: 1}
            if rng.random() < TRANSLATED_SHARE:
                others = [other for other in languages if other != language]
                second = "en" if "en" in others and rng.random() < 0.75 else rng.choice(others)
                texts |= version(second)
                versions[second] = 1
                translations += 1
            documents += len(versions)
            articles.append(
                Article(
                    original_language=language,
                    status=Article.Status.PUBLISHED,
                    published_at=now - timedelta(seconds=rng.uniform(60, TWO_YEARS_SECONDS)),
                    primary_topic_id=rng.choice(topic_ids),
                    outlet_id=rng.choice(outlet_ids),
                    source_url=f"https://bench.example/{language}/story-{index}",
                    language_versions=versions,
                    **texts,
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(articles)
            topic_rows, tag_rows, related_rows = [], [], []
            for article in articles:
                extra = [rng.choice(topic_ids)] if rng.random() < 0.3 else []
                for topic_id in dict.fromkeys([article.primary_topic_id, *extra]):
                    topic_rows.append(TopicLink(article_id=article.pk, topic_id=topic_id))
                wanted = rng.randint(2, 4)
                chosen = list(dict.fromkeys(rng.choices(tag_ids, weights=tag_weights, k=wanted * 3)))[:wanted]
                tag_rows += [TagLink(article_id=article.pk, tag_id=tag_id) for tag_id in chosen]
                if recent and rng.random() < 0.4:
                    earlier = recent[-5000:]
                    for other in rng.sample(earlier, min(len(earlier), rng.randint(1, 3))):
                        # Symmetrical: a link is stored in both directions.
                        related_rows.append(RelatedLink(from_article_id=article.pk, to_article_id=other))
                        related_rows.append(RelatedLink(from_article_id=other, to_article_id=article.pk))
                recent.append(article.pk)
            TopicLink.objects.bulk_create(topic_rows)
            TagLink.objects.bulk_create(tag_rows)
            RelatedLink.objects.bulk_create(related_rows)
            tag_links += len(tag_rows)
            related_links += len(related_rows) // 2
        print(f"    {len(recent):,} stories", file=sys.stderr, flush=True)
    refresh_statistics()  # as an import does after writing stories (SQLite: ANALYZE)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "stories": count,
        "translations": translations,
        "expected_documents": documents,
        "tag_links": tag_links,
        "related_links": related_links,
        "articles": Article.objects.count(),
        "published": Article.objects.published().count(),
    }
