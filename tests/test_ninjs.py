"""The ninjs 2.2 serializer (newsroom.ninjs) and the export_articles command, on real ORM data."""

import json
from datetime import UTC, date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import ValidationError

from newsroom import ninjs
from newsroom.languages import column
from newsroom.models import Article, ArticleImage, Outlet, Tag, Topic

pytestmark = pytest.mark.django_db

SOURCE_URL = "https://test-outlet.example/news/ninjs-story"


def translated(**values: str) -> dict[str, str]:
    """Concrete column names for ``field__lang=value`` keywords (``title__zh_hans`` -> ``title_zh_hans``)."""
    result = {}
    for key, value in values.items():
        field, language = key.split("__")
        result[column(field, language.replace("_", "-"))] = value
    return result


def make_article(title: str = "Story", language: str = "vi", **fields) -> Article:
    return Article.objects.create(original_language=language, **{column("title", language): title}, **fields)


@pytest.fixture
def story() -> Article:
    """A published Hindi story with an English translation, topics, tags of every kind and two images."""
    outlet = Outlet.objects.create(name="Test Outlet Ninjs", domain="test-outlet.example")
    border, _ = Topic.objects.get_or_create(
        slug="test-border", defaults={"position": 90, **translated(name__en="Border trade", name__hi="सीमा व्यापार")}
    )
    economy, _ = Topic.objects.get_or_create(
        slug="test-economy", defaults={"position": 1, **translated(name__en="Economy")}
    )
    article = Article.objects.create(
        original_language="hi",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        outlet=outlet,
        source_url=SOURCE_URL,
        byline="Test Reporter",
        original_published_on=date(2024, 5, 3),
        primary_topic=border,
        **translated(
            title__hi="सीमा पर व्यापार बढ़ा",
            lead__hi="हिंदी सारांश",
            body__hi="हिंदी पाठ",
            title__en="Border trade grows",
            lead__en="English summary",
            body__en="English body",
        ),
    )
    article.topics.set([economy, border])
    tags = [
        Tag.objects.create(slug=f"test-{kind}", kind=kind, **translated(name__en=f"Test {kind}"))
        for kind in Tag.Kind.values
    ]
    tags[0].name_hi = "परीक्षण स्थान"
    tags[0].save()
    article.tags.set(tags)
    ArticleImage.objects.create(
        article=article,
        position=2,
        credit="Test Agency",
        **translated(caption__hi="दूसरी तस्वीर", alt_text__hi="वैकल्पिक पाठ"),
    )
    ArticleImage.objects.create(
        article=article,
        position=1,
        image="articles/2024/05/market.jpg",
        **translated(caption__hi="पहली तस्वीर", caption__en="First picture"),
    )
    return article


@pytest.fixture
def draft() -> Article:
    """A bare draft: a Vietnamese title and nothing else."""
    return make_article("Bản nháp")


def loaded(article: Article) -> Article:
    return ninjs.export_queryset().get(pk=article.pk)


def version(article: Article, language: str) -> dict:
    return ninjs.article_to_ninjs(loaded(article), language)


def export(*args: str) -> list[dict]:
    out = StringIO()
    call_command("export_articles", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_every_object_validates(story, draft):
    """Every language version of every article is valid ninjs 2.2, formats included."""
    objects = [obj for article in ninjs.export_queryset() for obj in ninjs.article_versions(article)]
    assert len(objects) == 3
    for obj in objects:
        ninjs.validate(obj)


def test_one_object_per_language_original_first(story):
    """A story yields one object per language with a headline, the original language first."""
    objects = ninjs.article_versions(loaded(story))
    assert [obj["language"] for obj in objects] == ["hi", "en"]
    assert [obj["uri"] for obj in objects] == [
        f"urn:newsroom:article:{story.pk}:hi",
        f"urn:newsroom:article:{story.pk}:en",
    ]


def test_text_fields_map_per_language(story):
    """Headline, summary (the lead) and body come from that language's columns; body and summary are text/plain."""
    obj = version(story, "en")
    assert obj["type"] == "text"
    assert obj["representationtype"] == "full"
    assert obj["headlines"] == [{"role": "main", "value": "Border trade grows"}]
    assert obj["descriptions"] == [{"role": "summary", "contenttype": "text/plain", "value": "English summary"}]
    assert obj["bodies"] == [{"role": "main", "contenttype": "text/plain", "value": "English body"}]
    assert version(story, "hi")["headlines"][0]["value"] == "सीमा पर व्यापार बढ़ा"


def test_byline_source_and_dates(story):
    """by, infosources (outlet name + source URL), contentcreated at local midnight and string version/dates."""
    obj = version(story, "hi")
    assert obj["by"] == "Test Reporter"
    assert obj["infosources"] == [{"name": "Test Outlet Ninjs", "uri": SOURCE_URL, "role": "originalsource"}]
    assert obj["contentcreated"] == "2024-05-03T00:00:00+07:00"
    assert obj["version"] == str(story.version)
    assert obj["firstcreated"].endswith("Z")
    assert obj["versioncreated"].endswith("Z")


def test_subjects_primary_topic_first_then_tag_subjects(story):
    """Subjects: the primary topic, the other topics, then programme and subject tags, each with its slug."""
    obj = version(story, "hi")
    assert [subject["literal"] for subject in obj["subjects"]] == [
        "test-border",
        "test-economy",
        "test-programme",
        "test-subject",
    ]
    assert obj["subjects"][0] == {"name": "सीमा व्यापार", "literal": "test-border", "rel": "about"}
    assert obj["subjects"][1]["name"] == "Economy"


def test_tags_go_to_places_organisations_people(story):
    """Place, organisation and person tags land in places, organisations and people, named in that language."""
    obj = version(story, "hi")
    assert obj["places"] == [{"name": "परीक्षण स्थान", "literal": "test-place", "rel": "mentions"}]
    assert [item["literal"] for item in obj["organisations"]] == ["test-organisation"]
    assert obj["people"] == [{"name": "Test person", "literal": "test-person", "rel": "mentions"}]


def test_associations_in_position_order_with_caption_fallback(story):
    """Images come in position order; captions fall back to the original language; every one has name and uri."""
    first, second = version(story, "en")["associations"]
    assert first["name"] == "image-1"
    assert first["type"] == "picture"
    assert first["descriptions"] == [{"role": "caption", "value": "First picture"}]
    assert second["name"] == "image-2"
    assert second["by"] == "Test Agency"
    assert second["descriptions"] == [
        {"role": "caption", "value": "दूसरी तस्वीर"},
        {"role": "alt", "value": "वैकल्पिक पाठ"},
    ]
    assert {first["uri"], second["uri"]} == {f"urn:newsroom:image:{image.pk}" for image in story.images.all()}
    assert "renditions" not in second


def test_image_file_becomes_a_rendition_with_a_base_url(story):
    """With the site's root, an image file is linked as an absolute rendition; without one there is no link."""
    article = loaded(story)
    assert "renditions" not in ninjs.article_to_ninjs(article, "hi")["associations"][0]
    obj = ninjs.article_to_ninjs(article, "hi", base_url="https://news.example.org/")
    assert obj["associations"][0]["renditions"] == [
        {
            "name": "original",
            "href": "https://news.example.org/media/articles/2024/05/market.jpg",
            "contenttype": "image/jpeg",
        }
    ]
    ninjs.validate(obj)


def test_altids(story):
    """altids carry the article id and the source URL."""
    assert version(story, "hi")["altids"] == [
        {"role": "article-id", "value": str(story.pk)},
        {"role": "source-url", "value": SOURCE_URL},
    ]


@pytest.mark.parametrize(
    ("status", "pubstatus"),
    [("draft", "withheld"), ("in_review", "withheld"), ("published", "usable"), ("archived", "canceled")],
)
def test_pubstatus_per_status(status, pubstatus):
    """Published stories are usable, drafts and stories in review withheld, archived ones canceled."""
    article = make_article(status=status, published_at=timezone.now() - timedelta(hours=1))
    obj = version(article, "vi")
    assert obj["pubstatus"] == pubstatus
    assert "embargoed" not in obj


def test_scheduled_story_is_embargoed_until_publication():
    """A published story dated in the future is usable but embargoed until its publication time."""
    publish_at = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    obj = version(make_article(status="published", published_at=publish_at), "vi")
    assert obj["pubstatus"] == "usable"
    assert obj["embargoed"] == publish_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    ninjs.validate(obj)


def test_empty_optional_fields_are_omitted(draft):
    """A bare draft carries only what it has: no empty strings, lists or objects."""
    obj = version(draft, "vi")
    assert set(obj) == {
        "uri",
        "type",
        "representationtype",
        "version",
        "firstcreated",
        "versioncreated",
        "pubstatus",
        "language",
        "altids",
        "headlines",
    }
    assert obj["altids"] == [{"role": "article-id", "value": str(draft.pk)}]
    assert obj["pubstatus"] == "withheld"


def test_infosource_without_outlet_or_url():
    """A source URL alone still makes an infosource; an outlet alone gives a name without uri."""
    outlet = Outlet.objects.create(name="Test Outlet Only")
    only_url = make_article(source_url="https://test-outlet.example/only-url")
    only_outlet = make_article(outlet=outlet)
    assert version(only_url, "vi")["infosources"] == [
        {"uri": "https://test-outlet.example/only-url", "role": "originalsource"}
    ]
    assert version(only_outlet, "vi")["infosources"] == [{"name": "Test Outlet Only", "role": "originalsource"}]


def test_language_is_bcp47():
    """The content code zh-hans is written zh-Hans; the URI keeps the project's code."""
    article = make_article("中文标题", "zh-hans")
    obj = version(article, "zh-hans")
    assert obj["language"] == "zh-Hans"
    assert obj["uri"].endswith(":zh-hans")
    assert ninjs.language_tag("pt-br") == "pt-BR"
    assert ninjs.language_tag("sr-latn-rs") == "sr-Latn-RS"


def test_uri_base_setting(settings, story):
    """An http(s) NEWSROOM_URI_BASE gives path-style URIs for articles and images."""
    settings.NEWSROOM_URI_BASE = "https://news.example.org/"
    obj = version(story, "en")
    assert obj["uri"] == f"https://news.example.org/articles/{story.pk}/en"
    assert obj["associations"][0]["uri"].startswith("https://news.example.org/images/")
    ninjs.validate(obj)


def test_missing_language_version_is_an_error(draft):
    """Asking for a language the story does not exist in raises ValueError."""
    with pytest.raises(ValueError, match="no 'en' version"):
        version(draft, "en")


def test_validator_enforces_date_time_and_uri_formats(draft):
    """The validator rejects a date where a date-time is due and a relative reference where a URI is due."""
    obj = version(draft, "vi")
    ninjs.validate(obj)
    with pytest.raises(ValidationError, match="date-time"):
        ninjs.validate({**obj, "contentcreated": "2024-05-03"})
    with pytest.raises(ValidationError, match="uri"):
        ninjs.validate({**obj, "uri": "articles/1/vi"})
    with pytest.raises(ValidationError):
        ninjs.validate({**obj, "associations": [{"name": "image-1", "type": "picture"}]})


@pytest.mark.uncached
def test_query_count_does_not_grow_with_articles(story):
    """Loading and serializing 10 articles takes as many queries as 2."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            for article in ninjs.export_queryset():
                ninjs.article_versions(article)
        return len(context.captured_queries)

    make_article()
    few = queries()
    for number in range(8):
        article = make_article(f"Story {number}", primary_topic=story.primary_topic)
        article.topics.set(story.topics.all())
        article.tags.set(story.tags.all())
        ArticleImage.objects.create(article=article, position=1)
    assert Article.objects.count() == 10
    assert queries() == few


def test_rows_and_instances_give_the_same_objects(story, draft):
    """A story read with ``for_serializer`` and ``fetch_links`` (the API's plain rows) gives exactly the objects
    the export's prefetched instances give, every language, renditions included; a primary topic that is not among
    the story's topics comes first, and a topic named in no language goes by its slug."""
    other = Topic.objects.create(slug="test-other", position=3, **translated(name__fr="Autre"))
    nameless = Topic.objects.create(slug="test-nameless", position=5)
    draft.primary_topic = other
    draft.save()
    draft.topics.set([nameless])
    base_url = "https://news.example.org/"
    articles = list(ninjs.for_serializer(Article.objects.order_by("pk")))
    links = ninjs.fetch_links(article.pk for article in articles)
    from_rows = [
        obj
        for article in articles
        for obj in ninjs.article_versions(article, base_url=base_url, links=links[article.pk])
    ]
    from_instances = [
        obj for article in ninjs.export_queryset() for obj in ninjs.article_versions(article, base_url=base_url)
    ]
    assert from_rows == from_instances
    assert [obj["language"] for obj in from_rows] == ["hi", "en", "vi"]
    assert from_rows[0]["associations"][0]["renditions"][0]["href"].startswith(base_url)
    assert from_rows[2]["subjects"] == [
        {"name": "Autre", "literal": "test-other", "rel": "about"},
        {"name": "test-nameless", "literal": "test-nameless", "rel": "about"},
    ]


@pytest.mark.uncached
def test_rows_cost_four_queries_for_any_number_of_articles(story):
    """Reading articles with ``for_serializer`` and their links with ``fetch_links`` takes four queries (the
    articles, which topics, which tags, the images), for one article or ten, and serializing them none; the topics'
    and tags' rows come from the registry, read once per state of the site (the first call of each)."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            articles = list(ninjs.for_serializer(Article.objects.order_by("pk")))
            links = ninjs.fetch_links(article.pk for article in articles)
            for article in articles:
                ninjs.article_versions(article, links=links[article.pk])
        return len(context.captured_queries)

    assert queries() > queries() == 4
    for number in range(9):
        article = make_article(f"Story {number}", primary_topic=story.primary_topic)
        article.topics.set(story.topics.all())
        article.tags.set(story.tags.all())
        ArticleImage.objects.create(article=article, position=1)
    assert queries() > queries() == 4


def test_command_prints_valid_list_with_drafts(story, draft):
    """The command prints one JSON list of valid ninjs objects, every language version, drafts included."""
    objects = export()
    assert [(obj["uri"], obj["pubstatus"]) for obj in objects] == [
        (f"urn:newsroom:article:{story.pk}:hi", "usable"),
        (f"urn:newsroom:article:{story.pk}:en", "usable"),
        (f"urn:newsroom:article:{draft.pk}:vi", "withheld"),
    ]
    for obj in objects:
        ninjs.validate(obj)


def test_command_language_option(story, draft):
    """--language keeps only that language version of the stories that have it."""
    assert [obj["uri"] for obj in export("--language", "en")] == [f"urn:newsroom:article:{story.pk}:en"]
    assert [obj["uri"] for obj in export("--language", "vi")] == [f"urn:newsroom:article:{draft.pk}:vi"]


def test_command_status_option(story, draft):
    """--status keeps only articles with that status."""
    assert {obj["uri"] for obj in export("--status", "draft")} == {f"urn:newsroom:article:{draft.pk}:vi"}
    assert len(export("--status", "published")) == 2
    assert export("--status", "archived") == []


def test_command_output_writes_file(story, draft, tmp_path):
    """--output writes the same UTF-8 JSON list to a file, not ASCII-escaped, and nothing of it to stdout."""
    target = tmp_path / "export.json"
    out = StringIO()
    call_command("export_articles", "--output", str(target), stdout=out)
    text = target.read_text(encoding="utf-8")
    assert "सीमा पर व्यापार बढ़ा" in text
    assert json.loads(text) == export()
    assert "[" not in out.getvalue()


def test_command_fails_on_invalid_object(story, monkeypatch, tmp_path):
    """An object that fails the schema is reported with its article and language, nothing is written, exit 1."""
    from newsroom.management.commands import export_articles

    def broken(article, **kwargs):
        return [{**obj, "contentcreated": "2024-05-03"} for obj in ninjs.article_versions(article, **kwargs)]

    monkeypatch.setattr(export_articles, "article_versions", broken)
    target = tmp_path / "export.json"
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("export_articles", "--output", str(target), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert f"article {story.pk} [hi] at contentcreated" in err.getvalue()
    assert "date-time" in err.getvalue()
    assert not target.exists()


def test_links_name_a_tag_saved_since_the_registry_was_read(story):
    """A tag linked behind the registry's back (no signal: the registry is not read again) is still named: the
    rows the registry lacks are read from the database."""
    ninjs.fetch_links([story.pk])  # the registry read
    tag = Tag.objects.bulk_create([Tag(slug="zz-unseen", kind=Tag.Kind.PLACE, name_en="Unseen")])[0]
    Article.tags.through.objects.bulk_create([Article.tags.through(article_id=story.pk, tag_id=tag.pk)])
    tags = ninjs.fetch_links([story.pk])[story.pk].tags
    assert {"slug": "zz-unseen", "name_en": "Unseen"}.items() <= next(
        r for r in tags if r["slug"] == "zz-unseen"
    ).items()
