"""The story list: columns, filters, search across languages, bulk tag actions, and the story form's tabs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.admin.articles import ArticleAdmin
from newsroom.languages import column, content_languages
from newsroom.models import Article, Outlet, RawDocument, Tag, Topic
from tests.conftest import staff

URL = reverse("admin:newsroom_article_changelist")


@pytest.fixture
def viewer(db) -> User:
    """A staff user who may only view stories."""
    user = staff("viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    return user


def shown(response) -> list[int]:
    """The pks of the stories on the list page, in order."""
    assert response.status_code == 200
    return [story.pk for story in response.context["cl"].result_list]


def pks(seeds: dict[int, Article], *numbers: int) -> set[int]:
    return {seeds[n].pk for n in numbers}


def test_columns_show_the_original_headline_with_its_language_and_state(client, editor, seeds):
    """Each row shows the headline in its original language (tagged with it, linked to the form, flagged when
    provisional), its original language, its languages as badges, status, topic, outlet and dates."""
    client.force_login(editor)
    html = client.get(URL).content.decode()
    hindi = seeds[0]
    assert (
        f'<span lang="hi" dir="auto">{hindi.title_hi}</span> <span class="desk-provisional">provisional</span>' in html
    )
    english = seeds[3]
    assert f'<span lang="en" dir="auto">{english.title_en}</span></a>' in html
    assert reverse("admin:newsroom_article_change", args=[hindi.pk]) in html
    assert (
        '<span class="desk-lang desk-lang-original" title="Hindi: original">hi ●'
        '<span class="visually-hidden"> (Hindi: original)</span></span>' in html
    )
    assert "Cross-border cooperation" in html
    assert "Báo Bắc Ninh" in html
    assert '<td class="field-original_language">Hindi</td>' in html
    assert '<td class="field-status">draft</td>' in html


def test_badges_list_the_original_first_and_say_when_a_translation_is_outdated(client, editor, seeds):
    """A translation older than the original's last change gets a badge that says "outdated" in words."""
    client.force_login(editor)
    story = Article.objects.get(pk=seeds[0].pk)
    story.title_en = "Bac Ninh and Xaisomboun step up cooperation"
    story.save()
    html = client.get(URL).content.decode()
    assert '<span class="desk-lang desk-lang-present" title="English: present">en<' in html
    assert html.index('title="Hindi: original"') < html.index('title="English: present"')

    story.body_hi += "\nएक और अनुच्छेद।"
    story.save()
    html = client.get(URL).content.decode()
    assert (
        '<span class="desk-lang desk-lang-outdated" title="English: outdated">en !'
        '<span class="visually-hidden"> (English: outdated)</span></span>' in html
    )


def test_a_future_publication_time_is_shown_as_scheduled(client, editor, seeds):
    """A story published later than now says "scheduled"; one published in the past shows its time only."""
    client.force_login(editor)
    Article.objects.filter(pk=seeds[3].pk).update(status="published", published_at=timezone.now() + timedelta(days=2))
    Article.objects.filter(pk=seeds[2].pk).update(status="published", published_at=timezone.now() - timedelta(days=2))
    response = client.get(URL)
    rows = response.content.decode().split("<tr")
    (future,) = [row for row in rows if seeds[3].title_en in row]
    (past,) = [row for row in rows if seeds[2].title_ja in row]
    assert "scheduled: " in future
    assert "scheduled" not in past


def test_filters_by_status_topic_tag_and_outlet(client, editor, seeds):
    """The sidebar filters narrow the list by status, topic (any of the story's topics), tag and outlet."""
    client.force_login(editor)
    Article.objects.filter(pk=seeds[1].pk).update(status=Article.Status.IN_REVIEW)
    assert set(shown(client.get(URL, {"status__exact": "in_review"}))) == pks(seeds, 1)
    topic = Topic.objects.get(slug="cross-border-cooperation")
    assert set(shown(client.get(URL, {"topics__id__exact": topic.pk}))) == pks(seeds, 0, 4)
    assert set(shown(client.get(URL, {"tag": "bac-ninh"}))) == pks(seeds, 0, 2, 3)
    outlet = Outlet.objects.get(name="Báo Bắc Ninh")
    assert set(shown(client.get(URL, {"outlet__id__exact": outlet.pk}))) == pks(seeds, 0, 2)


def test_the_tag_filter_offers_only_tags_in_use(client, editor, seeds):
    """The tag filter lists the tags stories carry, with their counts, not the whole registry."""
    client.force_login(editor)
    html = client.get(URL).content.decode()
    unused = Tag.objects.filter(articles__isnull=True).first()
    assert unused is not None
    assert f"?tag={unused.slug}" not in html
    assert "?tag=bac-ninh" in html
    assert html.count("?tag=") == Tag.objects.filter(articles__isnull=False).distinct().count()


def test_available_in_and_missing_in_filter_on_the_language_columns(client, editor, seeds):
    """ "Available in Hindi" lists the Hindi stories; "Missing in English" lists every story with no English text."""
    client.force_login(editor)
    assert set(shown(client.get(URL, {"available_in": "hi"}))) == pks(seeds, 0, 1, 4)
    assert set(shown(client.get(URL, {"missing_in": "en"}))) == pks(seeds, 0, 1, 2, 4)
    story = Article.objects.get(pk=seeds[2].pk)
    story.title_en = "Promoting industry"
    story.save()
    assert set(shown(client.get(URL, {"missing_in": "en"}))) == pks(seeds, 0, 1, 4)
    assert set(shown(client.get(URL, {"available_in": "en", "missing_in": "hi"}))) == pks(seeds, 2, 3)


def test_needs_attention_provisional_headline(client, editor, seeds):
    """Stories whose headline was made from the first sentence need an editor: 000, 001, 002, 004, not 003."""
    client.force_login(editor)
    assert set(shown(client.get(URL, {"attention": "provisional"}))) == pks(seeds, 0, 1, 2, 4)


def test_needs_attention_import_conflict(client, editor, seeds):
    """A story whose import kept an editor's change over the incoming text is listed under "import conflict"."""
    client.force_login(editor)
    assert shown(client.get(URL, {"attention": "conflict"})) == []
    RawDocument.objects.filter(article=seeds[2]).update(
        conflicts=[{"field": "title_ja", "kept": "編集者の見出し", "incoming": "元の見出し"}]
    )
    assert set(shown(client.get(URL, {"attention": "conflict"}))) == pks(seeds, 2)


def test_needs_attention_no_topic_and_outdated_translation(client, editor, seeds):
    """A story with neither a primary topic nor topics, and one with an outdated translation, are each listed."""
    client.force_login(editor)
    story = Article.objects.get(pk=seeds[1].pk)
    story.primary_topic = None
    story.save()
    assert shown(client.get(URL, {"attention": "no_topic"})) == []
    story.topics.clear()
    assert set(shown(client.get(URL, {"attention": "no_topic"}))) == pks(seeds, 1)

    story = Article.objects.get(pk=seeds[4].pk)
    story.title_fr = "Réunion de printemps"
    story.save()
    assert shown(client.get(URL, {"attention": "outdated"})) == []
    story.lead_hi += " और।"
    story.save()
    assert set(shown(client.get(URL, {"attention": "outdated"}))) == pks(seeds, 4)


def test_the_list_links_to_the_rejected_import_files(client, editor, seeds):
    """The list's header links to the import ledger showing only the rejected files."""
    client.force_login(editor)
    rejected = reverse("admin:newsroom_rawdocument_changelist") + "?status__exact=rejected"
    assert f'<a href="{rejected}">Rejected import files</a>' in client.get(URL).content.decode()


def test_search_covers_every_language_of_headline_lead_and_body(client, editor, seeds):
    """Search looks in each language's headline, lead and body columns, and byline and source URL."""
    assert {column(field, lang) for field in ("title", "lead", "body") for lang in content_languages()} <= set(
        ArticleAdmin.search_fields
    )
    client.force_login(editor)
    assert seeds[0].pk in shown(client.get(URL, {"q": "बाक निन्ह"}))
    assert seeds[1].pk not in shown(client.get(URL, {"q": "बाक निन्ह"}))
    assert set(shown(client.get(URL, {"q": "省人民委員会事務局"}))) == pks(seeds, 2)
    Article.objects.filter(pk=seeds[1].pk).update(lead_fr="Coopérative exemplaire", body_ko="모범 협동조합")
    assert set(shown(client.get(URL, {"q": "exemplaire"}))) == pks(seeds, 1)
    assert set(shown(client.get(URL, {"q": "협동조합"}))) == pks(seeds, 1)
    assert set(shown(client.get(URL, {"q": "लाल चंद्रमा"}))) == pks(seeds, 1)
    assert set(shown(client.get(URL, {"q": "daibieunhandan"}))) == pks(seeds, 3)


def test_search_finds_stories_by_tag_alias_once_each(client, editor, seeds):
    """A tag's alias in any script finds the stories carrying the tag, each listed once though many aliases match."""
    client.force_login(editor)
    found = shown(client.get(URL, {"q": "バクニン"}))
    assert seeds[3].pk in found
    assert seeds[1].pk not in found
    found = shown(client.get(URL, {"q": "Ninh"}))
    assert len(found) == len(set(found))
    assert seeds[3].pk in found


def make_stories(count: int) -> None:
    """``count`` stories in two languages with an outlet, topics and tags, some of them scheduled."""
    outlet = Outlet.objects.create(name=f"Outlet {count}")
    topics = list(Topic.objects.all()[:2])
    tags = list(Tag.objects.all()[:3])
    now = timezone.now()
    stories = Article.objects.bulk_create(
        Article(
            title_vi=f"Tin số {n}",
            title_en=f"Story {n}",
            original_language="vi",
            status="published",
            published_at=now + timedelta(hours=n - count // 2),
            primary_topic=topics[0],
            outlet=outlet,
            language_versions={"vi": 2, "en": 1 + n % 2},
            title_provisional=n % 3 == 0,
        )
        for n in range(count)
    )
    Article.topics.through.objects.bulk_create(
        Article.topics.through(article=story, topic=topic) for story in stories for topic in topics
    )
    Article.tags.through.objects.bulk_create(
        Article.tags.through(article=story, tag=tag) for story in stories for tag in tags
    )


def test_the_list_costs_the_same_number_of_queries_for_20_or_200_stories(client, django_assert_num_queries, db):
    """Showing more rows does not cost more queries: related rows are joined, badges need no query."""
    superuser = User.objects.create_superuser("boss")
    call_command("load_registry", stdout=StringIO())
    client.force_login(superuser)
    make_stories(20)
    with CaptureQueriesContext(connection) as small:
        assert len(shown(client.get(URL))) == 20
    make_stories(180)
    with django_assert_num_queries(len(small)):
        assert len(shown(client.get(URL))) == 100


def select(client, action: str, stories: list[Article]):
    """Choose ``action`` for ``stories`` on the list page, as the action bar does."""
    return client.post(URL, {"action": action, "index": 0, "_selected_action": [story.pk for story in stories]})


def test_add_tag_asks_which_tag_then_adds_it_to_every_selected_story(client, editor, seeds):
    """ "Add tag…" shows a page naming the stories and asking for the tag; confirming adds it to each, once."""
    client.force_login(editor)
    tag = Tag.objects.get(slug="laos")
    chosen = [seeds[0], seeds[3]]
    page = select(client, "add_tag", chosen)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'<span lang="en" dir="auto">{seeds[3].title_en}</span>' in html
    assert 'name="tag"' in html

    response = client.post(
        URL, {"action": "add_tag", "apply": "yes", "tag": tag.pk, "_selected_action": [s.pk for s in chosen]}
    )
    assert response.status_code == 302
    assert set(tag.articles.values_list("pk", flat=True)) == pks(seeds, 0, 3)
    assert Article.tags.through.objects.filter(tag=tag, article=seeds[0]).count() == 1
    notes = [str(m) for m in response.wsgi_request._messages]
    assert notes == ["Tag “Laos” added to 1 story.", "1 story already had it."]
    assert LogEntry.objects.filter(object_id=str(seeds[3].pk), change_message="Added the tag “Laos”.").exists()


def test_remove_tag_removes_it_from_every_selected_story(client, editor, seeds):
    """ "Remove tag…" takes the chosen tag off every selected story and leaves the others alone."""
    client.force_login(editor)
    tag = Tag.objects.get(slug="bac-ninh")
    response = client.post(
        URL,
        {"action": "remove_tag", "apply": "yes", "tag": tag.pk, "_selected_action": [seeds[0].pk, seeds[1].pk]},
    )
    assert response.status_code == 302
    assert set(tag.articles.values_list("pk", flat=True)) == pks(seeds, 2, 3)
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"Tag “{tag}” removed from 1 story.",
        "1 story did not have it.",
    ]


def test_bulk_tag_without_a_tag_changes_nothing(client, editor, seeds):
    """Confirming without choosing a tag shows the page again with an error and changes no story."""
    client.force_login(editor)
    before = Article.tags.through.objects.count()
    response = client.post(URL, {"action": "add_tag", "apply": "yes", "tag": "", "_selected_action": [seeds[1].pk]})
    assert response.status_code == 200
    assert "Please choose a tag." in response.content.decode()
    assert Article.tags.through.objects.count() == before


def test_a_user_who_may_not_change_stories_cannot_tag_them_by_a_forged_post(client, viewer, seeds):
    """A view-only user neither sees the tag actions nor can run them by posting the form by hand: 403."""
    client.force_login(viewer)
    assert "add_tag" not in client.get(URL).content.decode()
    tag = Tag.objects.get(slug="laos")
    response = client.post(
        URL, {"action": "add_tag", "apply": "yes", "tag": tag.pk, "_selected_action": [seeds[1].pk], "index": 0}
    )
    assert response.status_code == 403
    response = client.post(URL, {"action": "add_tag", "apply": "yes", "tag": tag.pk, "_selected_action": [seeds[1].pk]})
    assert response.status_code == 403
    assert not tag.articles.filter(pk=seeds[1].pk).exists()


def test_the_story_form_renders_with_the_tab_script(client, editor, seeds):
    """The change form loads tabs.js after modeltranslation's tabs (the script itself needs a browser to test)."""
    client.force_login(editor)
    response = client.get(reverse("admin:newsroom_article_change", args=[seeds[0].pk]), {"tab": "hi"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("modeltranslation/js/tabbed_translation_fields.js") < html.index("newsroom/admin/tabs.js")
    assert "newsroom/admin/desk.css" in html
    assert 'id="id_original_language"' in html
