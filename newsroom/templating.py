"""The public pages' templates: a Jinja2 environment, and the helpers the templates call.

The public pages are Jinja2 templates (``templates/jinja2/``); the admin keeps Django's own. A story page spent
half its time in Django's template engine, resolving variables and filters node by node; Jinja2 compiles each
template to Python once. Autoescaping is on, as in Django's templates: every value is escaped unless it is markup
built here (``__html__``).

Interface strings are written so that ``manage.py makemessages`` finds them as it finds them in Django's
templates: ``{{ _("Search") }}``, and ``{{ _("Page %(number)s of %(total)s")|fill(number=..., total=...) }}``
where values go in (``fill`` escapes the translation and each value). The few that need a plural or a context
are made here, in Python (``story_count``, ``byline``).
"""

import datetime
import json
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.conf.locale import LANG_INFO
from django.template import defaultfilters
from django.template.defaulttags import querystring as django_querystring
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime, template_localtime
from django.utils.translation import get_language, gettext, ngettext, pgettext
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup
from markupsafe import escape as markup_escape

from newsroom import seo
from newsroom.languages import display_name
from newsroom.models import Article
from newsroom.ninjs import language_tag
from newsroom.paths import localized_path, static
from newsroom.text import shortened
from newsroom.tracking import page_query

CARD_HEADINGS = ("h2", "h3")


@dataclass(frozen=True)
class StoryVersion:
    """What a reader of ``page_language`` is shown of a story."""

    language: str
    title: str
    lead: str
    url: str
    other_language: bool  # the story has no version in the page's language: its original is shown


def _html(value) -> str:
    """``value`` escaped, or as it is when already markup: Django's ``conditional_escape`` without its lazy-string
    wrapper, which twenty cards of ten values each felt."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def version(article: Article, page_language: str) -> StoryVersion:
    """What a card shows of ``article`` on a ``page_language`` page."""
    shown = article.shown_language(page_language)
    return StoryVersion(
        language=shown,
        title=article.headline(shown),
        lead=article.summary(shown),
        url=article.get_absolute_url(shown),
        other_language=shown != page_language,
    )


@lru_cache(maxsize=2048)
def _card_date(day: datetime.date, pattern: str, language: str) -> str:
    """``day`` as ``pattern`` (a ``DATE_FORMAT``) writes it in ``language``, the active one: cards show the same
    few days on every page, and Django's ``dateformat`` takes longer than a card's other values together."""
    return dateformat.format(day, pattern)


def story_cards(articles, heading: str = "h3") -> SafeString:
    """The cards of a list of stories: each one's headline linked, its lead (or, in search results, the passage that
    matched), date and outlet, in the page's language or labelled as in its original. Written out in Python, with
    what every card shares (language, date format, label) worked out once: a listing shows twenty."""
    if heading not in CARD_HEADINGS:
        raise ValueError(f"story_cards heading must be one of {CARD_HEADINGS}, not {heading!r}")
    page_language = get_language()
    page_tag = _html(language_tag(page_language))
    date_pattern = get_format("DATE_FORMAT")
    in_language = gettext("In %(language)s")
    cards = []
    for article in articles:
        story = version(article, page_language)
        passage = getattr(article, "passage", None)
        if passage:
            lead = (
                f'<p class="card-lead passage" lang="{_html(language_tag(passage[0]))}" dir="auto">'
                f"{_html(passage[1])}</p>"
            )
        elif story.lead:
            lead = f'<p class="card-lead">{_html(shortened(story.lead, 220))}</p>'
        else:
            lead = ""
        label = ""
        if story.other_language:
            named = in_language % {"language": language_name(story.language)}
            label = f'<span class="language-label">{_html(named)}</span>'
        outlet = f'<span class="outlet">{_html(article.outlet.name)}</span>' if article.outlet_id else ""
        published = localtime(article.published_at) if article.published_at else None
        machine = published.replace(microsecond=0).isoformat() if published else ""
        shown = _card_date(published.date(), date_pattern, page_language) if published else ""
        cards.append(
            f'<article class="card" lang="{_html(language_tag(story.language))}" dir="auto">\n'
            f'  <{heading} class="card-title"><a href="{_html(story.url)}">{_html(shortened(story.title, 150))}</a>'
            f"</{heading}>\n"
            f"  {lead}\n"
            f'  <p class="card-meta" lang="{page_tag}">{label} <time datetime="{machine}">{_html(shown)}</time> '
            f"{outlet}</p>\n"
            "</article>\n"
        )
    # Safe: every value above is escaped (``_html``) or is markup built here.
    return mark_safe("".join(cards))  # noqa: S308  # nosec B308, B703


def filter_fields(form) -> SafeString:
    """A listing's filter form's fields, each in a ``div`` with its label (after the box for a checkbox) and its
    errors; written out in Python, as Django's templates for labels and inputs would, at a tenth of their cost."""
    stops = gettext(":?.!")
    fields = []
    for field in form:
        label = _html(field.label)
        suffix = form.label_suffix if field.field.label_suffix is None else field.field.label_suffix
        if suffix and label and field.label[-1] not in stops:
            label += _html(suffix)
        label = f'<label for="{_html(field.id_for_label)}">{label}</label>'
        widget = field.as_widget()
        classes, errors = "field", ""
        if field.errors:  # rendered only when there are some: an empty error list is a template rendering too
            classes += " has-error"
            errors = f'<div class="field-error" id="{_html(field.auto_id)}-error">{_html(field.errors)}</div>'
        if field.name == "translated":  # the checkbox, its label after it
            fields.append(f'<div class="{classes} checkbox">{widget} {label}{errors}</div>')
        else:
            fields.append(f'<div class="{classes}">{label} {widget}{errors}</div>')
    # Safe: labels and errors are escaped (``_html``), widgets are Django's (or ``filters``') escaped markup.
    return mark_safe("\n".join(fields))  # noqa: S308  # nosec B308, B703


def head_links(meta: seo.PageMetadata) -> SafeString:
    """A page's canonical URL, its versions in other languages (hreflang) and its OpenGraph properties."""
    lines = [f'<link rel="canonical" href="{_html(meta.canonical)}">']
    lines += [f'<link rel="alternate" hreflang="{_html(code)}" href="{_html(url)}">' for code, url in meta.alternates]
    lines += [f'<meta property="{_html(name)}" content="{_html(value)}">' for name, value in meta.opengraph]
    # Safe: every value is escaped.
    return mark_safe("\n  ".join(lines))  # noqa: S308  # nosec B308, B703


def language_links(links, current: str) -> SafeString:
    """The language menu's items: ``(code, href)`` pairs, each language named in itself, ``current`` marked."""
    items = []
    for code, href in links:
        tag = _html(language_tag(code))
        marked = ' aria-current="true"' if code == current else ""
        name = _html(language_local_name(code))
        items.append(f'<li><a href="{_html(href)}" hreflang="{tag}" lang="{tag}"{marked}>{name}</a></li>')
    # Safe: every value is escaped.
    return mark_safe("\n".join(items))  # noqa: S308  # nosec B308, B703


def topic_links(topics, current=None) -> SafeString:
    """The topic navigation's items, named in the page's language, ``current`` marked."""
    language = get_language()
    items = []
    for topic in topics:
        marked = ' aria-current="page"' if topic == current else ""
        url, name = _html(topic.get_absolute_url()), _html(display_name(topic, language))
        items.append(f'<li><a href="{url}"{marked}>{name}</a></li>')
    # Safe: every value is escaped.
    return mark_safe("\n".join(items))  # noqa: S308  # nosec B308, B703


def page_languages(request) -> list[tuple[str, str]]:
    """This page in every content language: ``(code, path)`` pairs, filters kept (``page_query``)."""
    query = page_query(request).urlencode()
    query = f"?{query}" if query else ""
    return [(code, path + query) for code, path in seo.paths_in_languages(request).items()]


def querystring(request, **changes) -> str:
    """This page's query string (``page_query``) with ``changes`` made (Django's ``{% querystring %}``): filters
    survive paging."""
    return django_querystring(None, page_query(request), **changes)


def url(view_name: str, **arguments) -> str:
    """``reverse(view_name, kwargs=arguments)`` in the page's language (``newsroom.paths``: reversed once)."""
    return localized_path(view_name, get_language(), **arguments)


def story_count(count: int) -> str:
    """How many stories a listing has ("1 story", "20 stories"), with the plural of the page's language."""
    return ngettext("%(counter)s story", "%(counter)s stories", count) % {"counter": count}


def byline(article: Article) -> SafeString:
    """The byline after its label ("By"); the name marked as in the story's original language (not translated)."""
    label = pgettext("byline", "By")  # not inside the f-string, where makemessages would not find it
    name = f'<span lang="{_html(language_tag(article.original_language))}" dir="auto">{_html(article.byline)}</span>'
    # Safe: the label and the name are escaped.
    return mark_safe(f"{_html(label)} {name}")  # noqa: S308  # nosec B308, B703


def fill(text: str, **values) -> Markup:
    """A translated string with its ``%(name)s`` placeholders filled in, the string and every value escaped (a
    value that is markup, ``__html__``, is kept as it is)."""
    return markup_escape(text) % values


def date(moment, pattern: str) -> str:
    """Django's ``date`` filter, in the active time zone as Django's templates give it."""
    return defaultfilters.date(template_localtime(moment), pattern)


def language_name(code: str) -> str:
    """The language's name in the interface language (``Hindi``, ``ヒンディー語``)."""
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code


def language_local_name(code: str) -> str:
    """The language's name in itself (``हिन्दी``), for language switchers."""
    info = LANG_INFO.get(code)
    return info["name_local"] if info else code


def jsonld(data) -> SafeString:
    """``data`` as a JSON-LD ``<script>`` body: ``<``, ``>`` and ``&`` escaped so story text cannot end the
    script element."""
    # Safe: JSON with <, > and & escaped as \u003C etc. (as Django's json_script does) cannot close the script.
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_json_script_escapes))  # noqa: S308  # nosec B308, B703


def machine_time(moment) -> str:
    """A ``<time datetime>`` value in the active time zone: HTML allows at most milliseconds, so none."""
    return localtime(moment).replace(microsecond=0).isoformat() if moment else ""


def environment(**options) -> Environment:
    """The environment of ``TEMPLATES``' Jinja2 engine (``OPTIONS["environment"]``): autoescaping always on, and
    a name a template does not have is an error (a test finds the typo), not an empty string."""
    options.update(undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    # The plain callables: ``_("...")`` is the translation itself, as ``makemessages`` reads it.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(
        byline=byline,
        current_language=get_language,
        filter_fields=filter_fields,
        head_links=head_links,
        language_links=language_links,
        page_languages=page_languages,
        querystring=querystring,
        static=static,
        story_cards=story_cards,
        story_count=story_count,
        topic_links=topic_links,
        url=url,
    )
    env.filters.update(
        date=date,
        fill=fill,
        jsonld=jsonld,
        language_local_name=language_local_name,
        language_name=language_name,
        language_tag=language_tag,
        machine_time=machine_time,
        name_in=display_name,
        shortened=shortened,
    )
    return env
