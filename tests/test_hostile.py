"""Hostile text: markup, template syntax, invisible and control characters and a 100,000-character word, in every
field a story, a tag, a topic and an outlet have, reach every public surface and every admin page only as text.

The corpus (``tests/data/hostile/``) is raw scraped stories in the importer's format, each field carrying
payloads marked ``hx_<where>``: ``<script>`` and event-handler attributes, ``javascript:`` and ``data:`` URLs,
broken and nested markup, CDATA and comment breakouts, Django template syntax, bidi overrides, zero-width,
NUL and other control characters (in UTF-8 and in UTF-16), a 100,000-character word in a paragraph, in a
caption and as a Japanese run. Tags with hostile names, notes and aliases are created through the admin, a
topic is renamed there, and an editor types more payloads into a story's change form. Then every page is fetched and read with a parser:
a payload must show up as text (the headline a reader sees is the one stored), never as an element, an
attribute, a URL or an evaluated template. ``pytest -s`` prints the figures.
"""

from __future__ import annotations

import html
import json
import re
import signal
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import quote, urlsplit

import feedparser
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from newsroom.ingest.decode import normalise
from newsroom.languages import column, content_languages
from newsroom.models import Article, Outlet, RawDocument, Revision, Tag, Topic
from newsroom.ninjs import validate
from tests.conftest import DATA
from tests.test_admin_workflow import form_data
from tests.test_cache import admin_save
from tests.test_public_surfaces import public_urls

pytestmark = pytest.mark.django_db

HOSTILE = DATA / "hostile"
# The files the importer refuses, and why: a stray NUL byte in UTF-8 marks a binary file (tests/test_decode.py).
REFUSED = {"06_utf8_nul.txt": "binary"}
MARKER = re.compile(r"hx_[a-z_]+")
TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{.*?\}|#\{.*?\}|<%=.*?%>")
# What the decoder removes: C0/C1 controls, bidi embeddings/overrides/isolates, invisible spaces.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# The evidence of an evaluated template: {{ "hx"|add:"_evaluated" }}, {% static "hx_static" %}, the key itself.
EVALUATED = ("hx_evaluated", "/static/hx_static", settings.SECRET_KEY)

# Tags an editor creates in the admin: hostile names in several languages, a hostile note, and aliases that the
# corpus contains, so the import gives the tags to the hostile stories.
TAGS = {
    "hx-script-tag": {
        "kind": "place",
        "name_en": "<script>alert('hx_tag_en')</script>",
        "name_vi": "<img src=x onerror=alert('hx_tag_vi')>",
        "name_hi": "\u202eअलर्ट\u202c <svg onload=alert('hx_tag_hi')>",
        "name_ja": "{{ settings.SECRET_KEY }}",
        "note": "<a href=\"javascript:alert('hx_tag_note')\">note</a> {% debug %}",
        "aliases-0-name": "<script>",
    },
    "hx-template-tag": {
        "kind": "subject",
        "name_en": '{% debug %} {{ request }} {% include "base.html" %}',
        "name_vi": "]]></title><script>alert('hx_tag_tvi')</script>",
        "note": "]]><!-- <![CDATA[",
        "aliases-0-name": "{% debug %}",
    },
    "hx-url-tag": {
        "kind": "organisation",
        "name_en": "javascript:alert('hx_tag_js')",
        "name_vi": "data:text/html,<script>alert('hx_tag_data')</script>",
        "name_zh_hans": "\u200b\u2066<b onmouseover=alert('hx_tag_zh')>",
        "aliases-0-name": "onerror=alert",
    },
}

# What an editor types into the OCOP topic's change form: its name is in every page's navigation, the filters, the
# feeds' categories and the dashboard's chart; its description on its page.
TOPIC_EDIT = {
    "name_en": "<svg onload=alert('hx_topic')>OCOP</svg>",
    "name_hi": "\u202eओकॉप\u202c <script>alert('hx_topic_hi')</script>",
    "description_en": "{{ settings.SECRET_KEY }} <script>alert('hx_topic_desc')</script> ]]>",
}

# What an editor types into the change form of the Lai Chau story (01): every text field, a new Japanese
# version, the image's caption, alt text and credit, a byline and a source URL.
ADMIN_EDIT = {
    "title_en": "\"'><svg/onload=alert('hx_adm_title')> {{ settings.SECRET_KEY }} </title><script>alert('hx_adm_t')</script>",
    "lead_en": "<img src=x onerror=alert('hx_adm_lead')> javascript:alert('hx_adm_leadjs') \u202eevil\u202c \x01\x1b[0m",
    "body_en": (
        "<h1 onclick=alert('hx_adm_heading')>Heading</h1>\n"
        "First paragraph </p><script>alert('hx_adm_body')</script> and <a href=\"javascript:alert('hx_adm_href')\">link</a>.\n"
        "{% debug %} {{ request.META }} ]]> <!-- --> <![CDATA[ x ]]> &amp; &lt;b&gt;\n"
        "Last paragraph <iframe src=\"data:text/html,<script>alert('hx_adm_iframe')</script>\"></iframe>."
    ),
    "title_ja": "<script>alert('hx_adm_ja')</script>茶の見本市",
    "lead_ja": "<img src=x onerror=alert('hx_adm_jalead')>ライチャウ省の茶。",
    "body_ja": "{{ settings.SECRET_KEY }}本文。",
    "byline": "<img src=x onerror=alert('hx_adm_byline')>",
    "source_url": "https://hostile-source.example/a?b=\"><script>alert('hx_adm_srcurl')</script>",
    "images-0-caption_en": "<script>alert('hx_adm_caption')</script> caption",
    "images-0-alt_text_en": "\" onerror=\"alert('hx_adm_alt')",
    "images-0-credit": "<b onmouseover=alert('hx_adm_credit')>AP</b>",
}

# Tags whose content is a script (the page's own files, JSON data blocks), elements that load, embed or redirect,
# and the attributes that hold URLs, of which those that make the browser fetch something.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
FORBIDDEN_ELEMENTS = {
    "applet", "base", "embed", "frame", "frameset", "iframe", "math", "noembed", "object", "plaintext", "style", "xmp",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href", "background", "ping"}
LOADING_ATTRIBUTES = URL_ATTRIBUTES - {"href"}
NAVIGATION_LINKS = {"a", "area"}
LINK_RELATIONS_NOT_LOADED = {"canonical", "alternate"}
NAME = re.compile(r"[a-z][a-z0-9:._-]*")
FEED_ELEMENTS = {
    # RSS 2.0 with atom:link, Atom 1.0, sitemaps (with xhtml:link alternates) and Google News sitemaps
    "rss", "channel", "title", "link", "description", "language", "lastBuildDate", "item", "pubDate", "guid",
    "category", "author", "creator", "feed", "id", "updated", "subtitle", "entry", "summary", "published", "name",
    "urlset", "url", "loc", "lastmod", "sitemapindex", "sitemap", "news", "publication", "publication_date",
}  # fmt: skip


@dataclass
class Page:
    """What a parser made of an HTML answer: its text, and every way hostile text got out of being text."""

    url: str
    text: str
    problems: list[str] = field(default_factory=list)


class MarkupReader(HTMLParser):
    """Reads a page as a browser would tokenise it, noting each element, attribute or URL that is not the site's
    own: an event handler, an inline script, a ``javascript:``/``data:`` URL, anything loaded from elsewhere."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.page = Page(url, "")
        self.texts: list[str] = []
        self.script: dict[str, str] | None = None

    def problem(self, what: str) -> None:
        self.page.problems.append(f"{self.page.url}: {what}")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if not NAME.fullmatch(tag):
            self.problem(f"element named {tag!r}")
        if tag in FORBIDDEN_ELEMENTS:
            self.problem(f"<{tag}> element {attributes}")
        if tag == "meta" and "http-equiv" in attributes:
            self.problem(f"<meta http-equiv> {attributes}")
        if tag == "script":
            self.script = attributes
            kind = (attributes.get("type") or "").lower()
            if kind not in DATA_SCRIPT_TYPES and not same_origin(attributes.get("src")):
                self.problem(f"<script> that is not one of the site's files {attributes}")
        for name, value in attrs:
            if not NAME.fullmatch(name):
                self.problem(f"attribute named {name!r} on <{tag}>")
            if name.startswith("on"):
                self.problem(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                self.check_url(tag, name, value, attributes)

    def check_url(self, tag: str, name: str, value: str, attributes: dict) -> None:
        scheme = re.sub(r"[\x00-\x20]", "", value).split(":", 1)[0].lower() if ":" in value else ""
        if scheme in {"javascript", "data", "vbscript"}:
            self.problem(f"{scheme}: URL in <{tag} {name}>")
        navigation = tag in NAVIGATION_LINKS or (
            tag == "link" and set((attributes.get("rel") or "").split()) <= LINK_RELATIONS_NOT_LOADED
        )
        if (name in LOADING_ATTRIBUTES or not navigation) and not same_origin(value):
            self.problem(f"<{tag} {name}={value!r}> loads from elsewhere")

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = None

    def handle_data(self, data):
        if self.script is None:
            self.texts.append(data)
            return
        if (self.script.get("type") or "").lower() in DATA_SCRIPT_TYPES:
            try:
                json.loads(data)
            except ValueError:
                self.problem(f"a JSON data block that is not JSON: {data[:200]!r}")
        elif data.strip():
            self.problem(f"inline script {data[:200]!r}")

    def handle_comment(self, data):
        if "hx_" in data or "<" in data:
            self.problem(f"story text in a comment: {data[:200]!r}")

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.problem(f"declaration {decl[:200]!r}")

    def handle_pi(self, data):
        self.problem(f"processing instruction {data[:200]!r}")

    def unknown_decl(self, data):
        self.problem(f"declaration {data[:200]!r}")


def same_origin(url: str | None) -> bool:
    """A URL the page's own server answers: a path, a fragment, a query, or this test server."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return (not parts.scheme and not parts.netloc) or (parts.scheme == "http" and parts.netloc == "testserver")


def read_html(url: str, content: str) -> Page:
    reader = MarkupReader(url)
    reader.feed(content)
    reader.close()
    reader.page.text = " ".join("".join(reader.texts).split())
    return reader.page


def words(text: str) -> str:
    """``text`` with white space runs as one space, as a page's text is compared."""
    return " ".join(text.split())


@dataclass
class Walk:
    """Every answer fetched, and what was wrong with it."""

    surfaces: int = 0
    problems: list[str] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)
    feeds: dict[str, ET.Element] = field(default_factory=dict)
    answers: dict[str, object] = field(default_factory=dict)

    def fetch(self, client: Client, url: str, *, data: dict | None = None) -> None:
        response = client.post(url, data) if data is not None else client.get(url)
        self.surfaces += 1
        if response.status_code != 200:
            self.problems.append(f"{url}: status {response.status_code}")
            return
        content = response.content.decode()
        for evidence in EVALUATED:
            if evidence in content:
                self.problems.append(f"{url}: an evaluated template ({evidence!r})")
        kind = response["Content-Type"].split(";")[0]
        if kind == "text/html":
            page = read_html(url, content)
            self.problems += page.problems
            self.pages[url] = page
        elif kind.endswith("xml"):
            self.read_xml(url, response.content)
        elif kind == "application/json":
            if response.get("X-Content-Type-Options") != "nosniff":
                self.problems.append(f"{url}: JSON that a browser may sniff as HTML")
            self.answers[url] = json.loads(content)
        elif kind != "text/plain":
            self.problems.append(f"{url}: unexpected content type {kind}")

    def read_xml(self, url: str, content: bytes) -> None:
        """Well-formed XML of known elements only; the HTML of feed entries (RSS description, Atom summary) is read
        as a feed reader renders it."""
        try:
            root = ET.fromstring(content)
        except ET.ParseError as error:
            self.problems.append(f"{url}: not well-formed XML: {error}")
            return
        self.feeds[url] = root
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            if name not in FEED_ELEMENTS:
                self.problems.append(f"{url}: <{element.tag}> element in the XML")
            if name in {"description", "summary"} and element.text:
                self.problems += read_html(f"{url} <{name}>", element.text).problems
        if root.tag in {"rss", "{http://www.w3.org/2005/Atom}feed"}:
            parsed = feedparser.parse(content)
            if parsed.bozo:
                self.problems.append(f"{url}: a feed reader chokes: {parsed.bozo_exception}")


def import_corpus() -> dict[str, Article]:
    """The hostile corpus imported and published; the stories by file name. The file the decoder refuses is
    recorded as rejected, and the command says so with exit status 1."""
    out = StringIO()
    with pytest.raises(CommandError, match=f"{len(REFUSED)} of "):
        call_command("import_seeds", str(HOSTILE), "--json", "--publish", stdout=out)
    results = {item["file"].rsplit("/", 1)[-1]: item for item in json.loads(out.getvalue())}
    assert {name: item["code"] for name, item in results.items() if item["status"] == "rejected"} == REFUSED
    return {name: Article.objects.get(pk=item["article"]) for name, item in results.items() if item["article"]}


def create_tags(client: Client) -> dict[str, Tag]:
    """The hostile tags, each created with the admin's add form as an editor posts it."""
    add = reverse("admin:newsroom_tag_add")
    for slug, values in TAGS.items():
        data = {**form_data(client.get(add)), "slug": slug, **values}
        response = client.post(add, data)
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return {slug: Tag.objects.get(slug=slug) for slug in TAGS}


def edit_topic(client: Client) -> None:
    """An editor's save of the OCOP topic with the payloads typed into its names and description."""
    admin_save(client, reverse("admin:newsroom_topic_change", args=[Topic.objects.get(slug="ocop").pk]), **TOPIC_EDIT)


def edit_story(client: Client, story: Article, tags: dict[str, Tag]) -> None:
    """An editor's save of ``story`` with the payloads typed into every text field and the hostile tags added."""
    url = reverse("admin:newsroom_article_change", args=[story.pk])
    tag_ids = [str(pk) for pk in story.tags.values_list("pk", flat=True)] + [str(tag.pk) for tag in tags.values()]
    admin_save(client, url, **ADMIN_EDIT, tags=sorted(set(tag_ids)))


@pytest.fixture
def hostile(editor_client) -> dict[str, Article]:
    """Hostile tags made in the admin and a hostile topic name, the corpus imported and published, then the Lai Chau
    story edited in the admin with more payloads; the stories by file name."""
    tags = create_tags(editor_client)
    edit_topic(editor_client)
    stories = import_corpus()
    edit_story(editor_client, stories["01_script_tags.txt"], tags)
    return {name: Article.objects.get(pk=story.pk) for name, story in stories.items()}


def payloads_tried() -> dict[str, int]:
    """How many distinct payloads the corpus, the tags and the admin edit carry, by kind."""
    texts = [
        path.read_bytes().decode("utf-16" if path.name.startswith("05") else "utf-8") for path in HOSTILE.iterdir()
    ]
    texts += [value for values in TAGS.values() for value in values.values()]
    texts += [*ADMIN_EDIT.values(), *TOPIC_EDIT.values()]
    return {
        "script/markup/URL": len({marker for text in texts for marker in MARKER.findall(text)}),
        "template syntax": len({found for text in texts for found in TEMPLATE_SYNTAX.findall(text)}),
        "invisible/control characters": len({char for text in texts for char in INVISIBLE.findall(text)}),
        "100,000-character words": sum(
            1 for text in texts for word in re.split(r"[\s|]", text) if len(word) >= 100_000
        ),
    }


def hostile_public_urls(client: Client, stories: dict[str, Article]) -> list[str]:
    """Every public URL (``public_urls``) and then some: each story in every content language (the missing ones
    show the original), every topic's Atom and all-stories feeds, the hostile tags' pages, searches for the
    payloads (with filters, some hostile), the API's story filters and each story's versions."""
    urls = public_urls(client)
    for story in stories.values():
        urls += [story.get_absolute_url(language) for language in content_languages()]
        urls += [f"/api/articles/{story.pk}/?lang={language}" for language in story.languages()]
    for topic in Topic.objects.all():
        with translation.override("en"):
            urls += [reverse("newsroom:topic-atom", args=[topic.slug])]
        urls += [reverse(f"topic-all-{kind}", args=[topic.slug]) for kind in ("rss", "atom")]
    queries = [
        "<script>alert('hx_head')</script>",
        "onerror=alert",
        "javascript:alert('hx_href')",
        "{{ settings.SECRET_KEY }}",
        '{% include "base.html" %}',
        "\u202egnp.exe",
        "Supercalifragilisticexpialidocious" * 20,
        "フォアグラ祭り",
        "बाक निन्ह",
    ]
    for language in ("en", "vi", "hi", "ja"):
        with translation.override(language):
            search = reverse("newsroom:search")
            urls += [reverse("newsroom:tag-detail", args=[slug]) for slug in TAGS]
        urls += [f"{search}?q={quote(query)}" for query in queries]
        urls += [
            f"{search}?q=fair&tag=hx-url-tag&place=hx-script-tag&outlet={outlet}"
            for outlet in Outlet.objects.values_list("pk", flat=True)
        ]
        urls.append(f"{search}?q=fair&tag={quote('<script>')}&published_after={quote('<img src=x onerror=1>')}")
    urls += [f"/api/articles/?q={quote(query)}" for query in queries]
    urls += ["/api/articles/?place=hx-script-tag", "/api/articles/?tag=hx-url-tag&lang=ja", "/api/tags/?kind=place"]
    urls += [f"/api/articles/?outlet={pk}" for pk in Outlet.objects.values_list("pk", flat=True)]
    return list(dict.fromkeys(urls))


def admin_urls(stories: dict[str, Article]) -> list[str]:
    """The editors' pages that show the hostile stories, tags, outlets and ledger rows."""
    urls = [
        "/admin/",
        reverse("admin:newsroom_article_changelist"),
        reverse("admin:newsroom_article_changelist") + "?q=" + quote("<script>"),
        reverse("admin:newsroom_article_changelist") + "?tag=hx-script-tag&attention=conflict",
        reverse("admin:newsroom_article_coverage"),
        reverse("admin:newsroom_tag_changelist"),
        reverse("admin:newsroom_tag_changelist") + "?q=" + quote("{% debug"),
        reverse("admin:newsroom_outlet_changelist"),
        reverse("admin:newsroom_rawdocument_changelist"),
        reverse("admin:newsroom_topic_changelist"),
        "/admin/autocomplete/?app_label=newsroom&model_name=article&field_name=tags&term=" + quote("<script"),
        "/admin/autocomplete/?app_label=newsroom&model_name=article&field_name=outlet&term=" + quote("alert"),
        "/admin/autocomplete/?app_label=newsroom&model_name=article&field_name=related&term=" + quote("<script"),
    ]
    for story in stories.values():
        urls += [
            reverse(f"admin:newsroom_article_{view}", args=[story.pk])
            for view in ("change", "history", "delete", "cleaning", "tags", "related", "revisions")
        ]
        urls += [
            reverse("admin:newsroom_article_revision_diff", args=[story.pk, version])
            for version in Revision.objects.filter(article=story).values_list("version", flat=True)
        ]
        urls.append(reverse("admin:newsroom_article_revision_restore", args=[story.pk, 1]))
        urls += [
            reverse("admin:newsroom_article_reclean", args=[story.pk, document])
            for document in story.raw_documents.values_list("pk", flat=True)
        ]
    lai_chau, hindi = stories["01_script_tags.txt"], stories["09_hindi_payloads.txt"]
    urls.append(reverse("admin:newsroom_article_merge", args=[lai_chau.pk]) + f"?other={hindi.pk}")
    urls += [
        reverse("admin:newsroom_tag_change", args=[pk])
        for pk in Tag.objects.filter(slug__in=TAGS).values_list("pk", flat=True)
    ]
    urls += [reverse("admin:newsroom_outlet_change", args=[pk]) for pk in Outlet.objects.values_list("pk", flat=True)]
    urls += [
        reverse("admin:newsroom_rawdocument_change", args=[pk])
        for pk in RawDocument.objects.values_list("pk", flat=True)
    ]
    return urls


def summary(title: str, walk: Walk) -> None:
    figures = payloads_tried()
    print(
        f"\n{title}: {sum(figures.values())} payloads tried ({', '.join(f'{n} {kind}' for kind, n in figures.items())}); "
        f"{walk.surfaces} surfaces visited; {len(walk.problems)} executions or escapes"
    )


# The reader ------------------------------------------------------------------------------------------------------


def test_the_reader_sees_every_payload_that_is_not_escaped():
    """The check is real: each line of the corpus and each admin payload with an active element, handler or URL,
    put in a page as raw HTML, is reported, and the same lines escaped as templates escape them are not."""
    lines = [line for path in HOSTILE.glob("0[1-3]_*.txt") for line in path.read_text("utf-8").splitlines()]
    lines += [value for value in ADMIN_EDIT.values() if "<" in value]
    active = re.compile(r"<[^>]*(\son\w+=|javascript:|data:)|<(script|iframe|object|embed|style|link|meta|base|math)\b")
    hostile_lines = [line for line in lines if active.search(line)]
    assert len(hostile_lines) >= 20
    assert [line for line in hostile_lines if not read_html("raw", f"<p>{line}</p>").problems] == []
    assert [line for line in hostile_lines if read_html("escaped", f"<p>{escape(line)}</p>").problems] == []
    assert read_html("raw", '<a href=" javascript:alert(1)">x</a>').problems
    assert read_html("raw", '<link rel="stylesheet" href="https://elsewhere.example/x.css">').problems
    assert read_html("raw", '<script type="application/ld+json">{"a": "</p>"</script>').problems


# The import -------------------------------------------------------------------------------------------------------


def test_the_corpus_imports_as_plain_text(hostile):
    """Every hostile file becomes a story (the UTF-8 file with a NUL byte is refused as binary, its bytes kept in
    the ledger), on SQLite and PostgreSQL alike: markup and template syntax are kept as the text they are,
    control, bidi-override and zero-width characters are gone, and the 100,000-character words are whole."""
    assert len(hostile) == len(list(HOSTILE.iterdir())) - len(REFUSED)
    refused = RawDocument.objects.get(file_name__endswith="06_utf8_nul.txt")
    assert refused.status == "rejected" and bytes(refused.raw_bytes) == (HOSTILE / "06_utf8_nul.txt").read_bytes()
    lai_chau = hostile["01_script_tags.txt"].raw_documents.get()
    assert lai_chau.extracted["source_url"] == "https://laichau-hostile.example/news/tea-fair?q="
    assert lai_chau.extracted["title"] == "Lai Chau <script>alert('hx_head')</script> tea fair opens"
    # The placeholder's URL has parentheses: they stay in it, out of the caption.
    caption = lai_chau.extracted["captions"][0]
    assert caption["source_name"] == "javascript:alert('hx_imgurl')"
    assert caption["text"].startswith("Tea growers at the fair <svg onload=alert('hx_cap')></svg>")
    assert hostile["03_template_syntax.txt"].title_vi.startswith("Bắc Ninh {{ settings.SECRET_KEY }}")
    utf16 = hostile["05_utf16_nul.txt"]
    raw_text = utf16.raw_documents.get().raw_text  # PostgreSQL cannot store a NUL: the decoder drops them
    assert raw_text.startswith("Dong Nai <script>") and "\x00" not in raw_text
    assert utf16.lead_en == (
        "Dong Nai opened a machinery fair with ninety booths of local enterprises and cooperatives this week."
    )
    assert (
        hostile["07_long_word.txt"].images.get().caption_en
        == ("Pneumonoultramicroscopicsilicovolcanoconiosis" * 2300)[:100_000]
    )
    assert ("Supercalifragilisticexpialidocious" * 3000)[:100_000] in hostile["07_long_word.txt"].body_en
    for story in hostile.values():
        if story == hostile["01_script_tags.txt"]:
            continue  # the editor typed control characters into it: the admin keeps what editors type
        texts = [
            getattr(story, column(name, language))
            for name in ("title", "lead", "body")
            for language in story.languages()
        ]
        texts += [story.byline, *(image.caption for image in story.images.all())]
        assert not [text for text in texts if INVISIBLE.search(text)], story
    assert Outlet.objects.filter(name__contains="<script>alert('hx_outlet')</script>").exists()
    assert set(hostile["03_template_syntax.txt"].tags.values_list("slug", flat=True)) >= {"hx-template-tag"}
    assert set(hostile["02_broken_markup.txt"].tags.values_list("slug", flat=True)) >= {"hx-script-tag"}


def test_every_public_surface_shows_payloads_as_text(client, hostile):
    """An anonymous reader fetches every public page, feed, sitemap and API answer: no injected element, event
    handler, ``javascript:``/``data:`` URL or resource from elsewhere in any HTML (feed entries included), every
    feed and sitemap is well-formed XML a feed reader parses, JSON is never sniffable, and each hostile headline
    and topic name is shown exactly as stored (template syntax literally, never evaluated)."""
    walk = Walk()
    for url in hostile_public_urls(client, hostile):
        walk.fetch(client, url)
    summary("public surfaces", walk)
    assert walk.problems == [], "\n".join(walk.problems)
    for story in hostile.values():
        for language in content_languages():
            page = walk.pages[story.get_absolute_url(language)]
            shown = story.shown_language(language)
            assert words(story.headline(shown)) in page.text
            assert words(story.summary(shown)) in page.text
        detail = walk.answers[f"/api/articles/{story.pk}/"]
        assert [version["headlines"][0]["value"] for version in detail["versions"]] == [
            story.headline(language) for language in story.languages()
        ]
    template = walk.pages[hostile["03_template_syntax.txt"].get_absolute_url("vi")].text
    assert "{{ settings.SECRET_KEY }}" in template and "{# hx_comment #}" in template and "{% csrf_token %}" in template
    # A feed reader shows the hostile topic name as it was typed: the RSS channel's description is HTML (escaped
    # once more), Atom's subtitle is text.
    rss, atom = walk.feeds["/en/topics/ocop/rss/"], walk.feeds["/en/topics/ocop/atom/"]
    assert html.unescape(rss.findtext("channel/description")) == TOPIC_EDIT["name_en"]
    assert atom.findtext("{http://www.w3.org/2005/Atom}subtitle") == TOPIC_EDIT["name_en"]
    feed = walk.feeds["/feeds/rss/"]
    assert {words(item.findtext("title")) for item in feed.iter("item")} >= {
        words(normalise(story.headline(story.original_language))) for story in hostile.values()
    }


def test_admin_pages_show_payloads_as_text(editor_client, hostile):
    """An editor opens every desk page holding the hostile stories, tags, outlets and ledger rows (dashboard, story
    and tag lists with hostile searches and filters, change, history, delete, cleaning, re-clean, tagging,
    related, merge and revision pages, coverage, autocomplete) and the bulk-action and tag-merge pages: none
    carries an injected element, handler or URL, and the change form gives back exactly what was typed."""
    walk = Walk()
    for url in admin_urls(hostile):
        walk.fetch(editor_client, url)
    stories = [story.pk for story in hostile.values()]
    walk.fetch(
        editor_client,
        reverse("admin:newsroom_article_changelist"),
        data={"action": "add_tag", "_selected_action": stories},
    )
    tags = list(Tag.objects.filter(slug__in=TAGS).values_list("pk", flat=True))
    walk.fetch(
        editor_client,
        reverse("admin:newsroom_tag_changelist"),
        data={"action": "merge_selected_tags", "_selected_action": tags},
    )
    summary("admin pages", walk)
    assert walk.problems == [], "\n".join(walk.problems)
    lai_chau = hostile["01_script_tags.txt"]
    form = form_data(editor_client.get(reverse("admin:newsroom_article_change", args=[lai_chau.pk])))
    assert {name: form[name] for name in ADMIN_EDIT} == ADMIN_EDIT
    changelist = walk.pages[reverse("admin:newsroom_article_changelist")].text
    assert words(ADMIN_EDIT["title_en"]) in changelist
    tag_list = walk.pages[reverse("admin:newsroom_tag_changelist")].text
    assert all(words(values["name_en"]) in tag_list for values in TAGS.values())


def test_the_ninjs_export_carries_payloads_verbatim(hostile):
    """``export_articles`` writes every hostile story as schema-valid ninjs with its text exactly as stored: data
    for other systems, never sanitised away nor evaluated."""
    out = StringIO()
    call_command("export_articles", stdout=out)
    exported = json.loads(out.getvalue())
    by_uri = {obj["uri"]: obj for obj in exported}
    for story in hostile.values():
        for language in story.languages():
            obj = by_uri[f"urn:newsroom:article:{story.pk}:{language}"]
            validate(obj)
            assert obj["headlines"][0]["value"] == story.headline(language)
    assert not any(evidence in out.getvalue() for evidence in EVALUATED)


@contextmanager
def deadline(seconds: float):
    """Raise ``TimeoutError`` in the test's (main) thread when the block runs longer than ``seconds``."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except TimeoutError:
        # A fresh exception: the one raised by the handler carries frames pytest cannot show.
        raise TimeoutError(f"still running after {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_revision_pages_of_a_100000_character_run_answer_quickly(editor_client, hostile):
    """An editor who changes one character of the Japanese story with a 100,000-character run sees the revision
    diff and the restore page in seconds, with the change marked: the diff does not turn quadratic."""
    story = hostile["08_long_ja.txt"]
    admin_save(
        editor_client,
        reverse("admin:newsroom_article_change", args=[story.pk]),
        body_ja=story.body_ja.replace("フォアグラ", "フォワグラ", 1),
    )
    version = Revision.objects.filter(article=story).order_by("-version").values_list("version", flat=True).first()
    with deadline(5):
        diff = editor_client.get(reverse("admin:newsroom_article_revision_diff", args=[story.pk, version]))
        restore = editor_client.get(reverse("admin:newsroom_article_revision_restore", args=[story.pk, version - 1]))
    for response in (diff, restore):
        assert response.status_code == 200
        page = read_html(response.wsgi_request.path, response.content.decode())
        assert page.problems == []
        assert "ワ" in page.text
