"""The public pages' Jinja2 templates (newsroom/templating.py, templates/jinja2/): always autoescaped, their
interface strings found by ``makemessages`` and translated, their helpers equal to Django's."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import trans_real
from django.utils.translation.template import templatize
from jinja2 import UndefinedError

from newsroom import templating
from newsroom.models import Topic

TEMPLATES = Path(settings.BASE_DIR, "templates", "jinja2")
# ``_("…")`` in a template, as the templates write it: double-quoted, no quote inside.
SOURCE_STRING = re.compile(r'_\("([^"]*)"\)')
INTERFACE_LANGUAGES = ("vi", "hi", "ja")


def interface_strings() -> dict[str, set[str]]:
    return {path.name: set(SOURCE_STRING.findall(path.read_text("utf-8"))) for path in TEMPLATES.rglob("*.html")}


def test_the_public_templates_are_always_autoescaped():
    """Story text in a page is text: the engine escapes every value even if its options said otherwise."""
    environment = templating.environment(autoescape=False)
    page = environment.from_string("<p>{{ text }}</p>").render(text="<script>alert(1)</script>")
    assert page == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert engines["jinja2"].env.autoescape is True


def test_a_name_a_template_does_not_have_is_an_error():
    """A mistyped name fails the page (and so a test) instead of showing nothing."""
    with pytest.raises(UndefinedError):
        templating.environment().from_string("<p>{{ story.headlin }}</p>").render(story=Topic(slug="ocop"))


def test_makemessages_finds_every_interface_string_of_the_public_templates():
    """``makemessages`` reads templates through Django's ``templatize``: every ``_("…")`` of every public
    template comes out of it for xgettext, so no string is left out of the catalogues."""
    strings = interface_strings()
    assert sum(len(found) for found in strings.values()) >= 40
    for path in TEMPLATES.rglob("*.html"):
        extracted = set(SOURCE_STRING.findall(templatize(path.read_text("utf-8"), origin=str(path))))
        assert extracted == strings[path.name], path.name


def extracted_by_makemessages(folder: Path) -> set[str]:
    """What ``makemessages`` extracts from the public pages' code: xgettext, with Django's options, over
    newsroom/templating.py and each template as ``templatize`` turns it into Python. A string with a context is
    ``context\x04text``, as gettext keys it."""
    sources = [Path(templating.__file__)]
    for number, path in enumerate(TEMPLATES.rglob("*.html")):
        sources.append(folder / f"template_{number}.py")
        sources[-1].write_text(templatize(path.read_text("utf-8"), origin=str(path)), "utf-8")
    xgettext = ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-wrap", "--output=-"]
    xgettext += [f"--keyword={keyword}" for keyword in ("gettext_noop", "gettext_lazy", "ngettext_lazy:1,2")]
    xgettext += [f"--keyword={keyword}" for keyword in ("pgettext:1c,2", "npgettext:1c,2,3")]
    result = subprocess.run([*xgettext, *map(str, sources)], capture_output=True, text=True, check=True)
    entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"$', result.stdout, re.MULTILINE)
    return {f"{context}\x04{text}" if context else text for context, text in entries if text}


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
def test_every_interface_string_of_the_public_pages_is_translated(language, tmp_path):
    """Each string ``makemessages`` finds in the public pages' templates and helpers (plurals and the byline's
    label included) has a translation in the Vietnamese, Hindi and Japanese catalogues (ours, or Django's for the
    few it shares, such as the label suffix's stops)."""
    catalogue = trans_real.translation(language)._catalog
    known = {key if isinstance(key, str) else key[0] for key in catalogue.keys()}  # noqa: SIM118 - no __iter__
    extracted = extracted_by_makemessages(tmp_path)
    assert {"byline\x04By", "%(counter)s story", "Page %(number)s of %(total)s"} <= extracted
    assert extracted - known == set()


def test_fill_escapes_the_translation_and_every_value_but_markup():
    """``fill`` puts values into a translated string, escaping both; a value that is markup stays markup."""
    assert templating.fill("<b>%(name)s</b>", name="<i>") == "&lt;b&gt;&lt;i&gt;&lt;/b&gt;"
    assert templating.fill("By %(name)s", name=mark_safe("<span>A</span>")) == "By <span>A</span>"
    assert templating.fill('"%(a)s" & %(b)s', a="'", b=2) == "&#34;&#39;&#34; &amp; 2"


@pytest.mark.django_db
def test_url_is_reverse_in_the_pages_language():
    """The templates' ``url()`` gives what ``reverse()`` gives, in the active language."""
    topic = Topic.objects.get(slug="ocop")
    for language in ("en", "hi", "zh-hans"):
        with translation.override(language):
            for name, kwargs in (("newsroom:home", {}), ("newsroom:topic-rss", {"slug": topic.slug})):
                assert templating.url(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_querystring_keeps_the_filters_and_changes_the_page():
    """Pagination links keep every other parameter, as Django's ``{% querystring %}`` does."""
    request = RequestFactory().get("/en/topics/ocop/", {"place": "bac-ninh", "page": "2", "q": "a&b"})
    assert templating.querystring(request, page=3) == "?place=bac-ninh&page=3&q=a%26b"
    assert templating.querystring(RequestFactory().get("/"), page=None) == ""


@pytest.mark.django_db
def test_a_cards_date_is_written_in_the_pages_language_and_date_format():
    """``story_cards`` remembers each day's label per language and format: the same story's date reads in the
    language of each page, as Django's ``date`` filter writes it there, whichever language asked first."""
    import datetime

    from django.template import defaultfilters
    from django.utils import timezone

    from tests.conftest import make_story

    story = make_story("Kiln", "en", published_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 12)))
    labels = {}
    for language in ("fr", "hi", "en", "ja", "fr"):  # French and Hindi share a format, "j F Y"
        with translation.override(language):
            card = str(templating.story_cards([story]))
            expected = defaultfilters.date(timezone.localtime(story.published_at), "DATE_FORMAT")
        assert f">{expected}</time>" in card, (language, card)
        labels.setdefault(language, expected)
    assert len(set(labels.values())) == 4  # mars, मार्च, March, 3月: no language shows another's
