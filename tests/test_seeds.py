"""The five real seed stories, imported end to end through the command."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command

from newsroom.models import Article, RawDocument
from newsroom.text import paragraphs
from tests.conftest import SEEDS, seed_path

BOILERPLATE = [
    "![]()",
    "Comment (0)",
    "टिप्पणी",
    "コメント",
    "स्रोत",
    "出典",
    "Source:",
    "No data",
    "Same tag",
    "Same category",
    "Same author",
    "Vietnam.vn",
    "Nền tảng",
    "24/11/2025",
    "http",
    " |",
    "40.jpg",
]


@pytest.fixture
def seeds(db):
    """Import the seed folder; return the --json report and the articles by seed number."""
    out = StringIO()
    call_command("import_seeds", str(SEEDS), "--json", stdout=out)
    report = json.loads(out.getvalue())
    articles = {}
    for item in report:
        number = int(item["file"].rsplit("/", 1)[-1][:3])
        articles[number] = Article.objects.get(pk=item["article"])
    return report, articles


def text_of(article: Article) -> str:
    lang = article.original_language
    return "\n".join(getattr(article, f"{field}_{lang}") for field in ("title", "lead", "body"))


def test_every_seed_is_created_in_its_language(seeds):
    """Five new stories: Hindi, Hindi, Japanese, English, Hindi."""
    report, articles = seeds
    assert [item["status"] for item in report] == ["created"] * 5
    assert [articles[n].original_language for n in range(5)] == ["hi", "hi", "ja", "en", "hi"]


def test_source_urls_are_found_and_never_invented(seeds):
    """000, 002 and 003 carry their source URLs; 001 and 004 have none and get none."""
    _, articles = seeds
    assert (
        articles[0].source_url
        == "https://baobacninhtv.vn/tang-cuong-hop-tac-giua-nganh-cong-thuong-hai-tinh-bac-ninh-va-xay-som-bun-lao--postid430336.bbg"
    )
    assert (
        articles[2].source_url
        == "https://baobacninhtv.vn/ho-tro-thuc-day-ung-dung-khoa-hoc-ky-thuat-doi-moi-sang-tao-trong-san-xuat-cong-nghiep-postid430152.bbg"
    )
    assert (
        articles[3].source_url
        == "https://daibieunhandan.vn/hoan-thien-co-che-phoi-hop-trien-khai-hoat-dong-khuyen-cong-10396827.html"
    )
    assert articles[1].source_url is None and articles[4].source_url is None
    assert articles[1].outlet is None and articles[4].outlet is None


def test_seed_003_outlet_date_and_headline(seeds):
    """003: the glued line gives Báo Đại biểu Nhân dân and 24 November 2025; the file's own headline is used."""
    _, articles = seeds
    story = articles[3]
    assert story.outlet.name == "Báo Đại biểu Nhân dân"
    assert story.outlet.domain == "daibieunhandan.vn"
    assert story.original_published_on.isoformat() == "2025-11-24"
    assert story.title_en == "Perfecting the coordination mechanism for implementing industrial promotion activities"
    assert story.title_provisional is False
    assert story.lead_en.startswith("In order to continue improving the effectiveness of industrial promotion work")


def test_other_seeds_get_provisional_headlines(seeds):
    """Seeds without a headline get their first sentence, flagged for editors."""
    _, articles = seeds
    for number in (0, 1, 2, 4):
        story = articles[number]
        assert story.title_provisional, number
        assert story.lead.startswith(story.title.rstrip("…")), number


def test_seed_001_byline(seeds):
    """001's byline is the short name line above the bare source word."""
    _, articles = seeds
    assert articles[1].byline == "लाल चंद्रमा"
    assert "लाल चंद्रमा" not in text_of(articles[1])


def test_captions_and_credit(seeds):
    """000, 002 and 003 have 3, 4 and 1 captions; 003's photo credit is separated."""
    _, articles = seeds
    assert [articles[n].images.count() for n in (0, 2, 3)] == [3, 4, 1]
    image = articles[3].images.get()
    assert (
        image.caption_en
        == "In the period 2021 - 2025, many rural industrial establishments will receive support from the industrial promotion program."
    )
    assert image.credit == "Bac Ninh Industrial Promotion Center"
    assert image.source_name == "40.jpg"
    assert articles[2].images.get(position=1).caption_ja == "会議風景。"


def test_no_boilerplate_left_in_any_body(seeds):
    """No chrome, source line, counter, related link or image marker survives in headline, lead or body."""
    _, articles = seeds
    for number, article in articles.items():
        text = text_of(article)
        for chrome in BOILERPLATE:
            assert chrome not in text, (number, chrome)
        removed = RawDocument.objects.get(article=article).removed_lines
        for line in removed:
            if line["rule"] not in {"image-caption"}:
                assert line["text"] not in text, (number, line)


@pytest.mark.parametrize(
    ("number", "sentence"),
    [
        (
            0,
            "अब तक, बाक निन्ह प्रांत में 773 OCOP उत्पाद हैं, जिनमें से 1 उत्पाद को 5 स्टार रेटिंग मिली है; कई विशिष्ट उत्पाद अमेरिका, यूरोपीय संघ, जापान और ऑस्ट्रेलिया जैसे अंतर्राष्ट्रीय बाजारों में मौजूद हैं। बाजार प्रबंधन को मज़बूत किया गया है, जिससे उपभोक्ताओं और वैध व्यवसायों की सुरक्षा में योगदान मिला है।",
        ),
        (1, "प्रांतीय जन समिति के उपाध्यक्ष कॉमरेड त्रिन्ह मिन्ह होआंग ने बैठक की अध्यक्षता की।"),
        (
            2,
            "企業は工場の屋上スペースを最大限に活用して屋上太陽光発電を開発し、生産のためのグリーン電力をさらに生み出し、新たな競争の勢いを生み出す必要があります。",
        ),
        (3, "After the merger, Bac Ninh province has 99 communes and wards."),
        (3, "Strengthening monitoring and evaluation of industrial promotion projects"),
        (
            4,
            "आज दोपहर, तीन प्रांतों के प्रांतीय पार्टी सचिवों: लैंग सोन, काओ बांग और हा गियांग ने भी गुआंग्शी झुआंग स्वायत्त क्षेत्र के पार्टी सचिव के साथ बैठकें कीं।",
        ),
    ],
)
def test_distinctive_sentences_kept_verbatim(seeds, number, sentence):
    """The reporting itself is untouched, character for character."""
    _, articles = seeds
    assert sentence in text_of(articles[number])


def test_every_body_line_comes_from_the_file(seeds):
    """Each paragraph kept is a whole line of the original file (nothing rewritten)."""
    _, articles = seeds
    for number, article in articles.items():
        lines = set(seed_path(number).read_text(encoding="utf-8").splitlines())
        for paragraph in paragraphs(getattr(article, f"body_{article.original_language}")):
            assert paragraph in lines, (number, paragraph[:40])


def test_seed_003_subheadings_stay(seeds):
    """003's two subheadings are their own paragraphs, shaped as headings."""
    from newsroom.text import blocks

    _, articles = seeds
    headings = [text for kind, text in blocks(articles[3].body_en) if kind == "heading"]
    assert headings == [
        "Implement practical and effective industrial promotion projects",
        "Strengthening monitoring and evaluation of industrial promotion projects",
    ]


def test_topics(seeds):
    """000 and 004 are cross-border cooperation, 001 OCOP, 002 and 003 industrial promotion; no wrong topic."""
    _, articles = seeds
    primary = {n: a.primary_topic.slug for n, a in articles.items()}
    assert primary == {
        0: "cross-border-cooperation",
        1: "ocop",
        2: "industrial-promotion",
        3: "industrial-promotion",
        4: "cross-border-cooperation",
    }
    topics = {n: set(a.topics.values_list("slug", flat=True)) for n, a in articles.items()}
    assert topics[3] == {"industrial-promotion"}
    assert topics[4] == {"cross-border-cooperation"}
    for number, article in articles.items():
        assert article.primary_topic.slug in topics[number]


def test_tags(seeds):
    """Places and bodies are tagged from their names in Hindi, Japanese and English."""
    _, articles = seeds
    tags = {n: set(a.tags.values_list("slug", flat=True)) for n, a in articles.items()}
    assert {"bac-ninh", "xaisomboun", "laos", "department-of-industry-and-trade", "ocop"} <= tags[0]
    assert {"ocop", "department-of-industry-and-trade", "provincial-peoples-committee"} <= tags[1]
    assert {"bac-ninh", "supporting-industry"} <= tags[2]
    assert {"bac-ninh", "bac-giang", "department-of-industry-and-trade", "provincial-peoples-committee"} <= tags[3]
    assert {"quang-ninh", "guangxi", "china", "lang-son", "cao-bang", "ha-giang", "rcep"} <= tags[4]


def test_ledger_keeps_every_raw_file(seeds):
    """Each seed's bytes hash and decoded text are in the ledger, with every removed line and its rule."""
    _, articles = seeds
    for number, article in articles.items():
        data = seed_path(number).read_bytes()
        document = RawDocument.objects.get(article=article)
        assert document.sha256 == hashlib.sha256(data).hexdigest()
        assert document.raw_text == data.decode("utf-8")
        assert document.language == article.original_language
        assert all(line["rule"] for line in document.removed_lines)
    rules = {line["rule"] for line in RawDocument.objects.get(article=articles[3]).removed_lines}
    assert rules == {
        "site-header",
        "publisher-date",
        "image-file",
        "image-caption",
        "source-line",
        "comment-counter",
        "after-comment-counter",
    }


def test_reimporting_the_seeds_changes_nothing(seeds):
    """Two more imports of the same folder report every file unchanged and write nothing."""
    before = (Article.objects.count(), RawDocument.objects.count(), list(Article.objects.values().order_by("pk")))
    for _ in range(2):
        out = StringIO()
        call_command("import_seeds", str(SEEDS), "--json", stdout=out)
        assert {item["status"] for item in json.loads(out.getvalue())} == {"unchanged"}
    assert (
        Article.objects.count(),
        RawDocument.objects.count(),
        list(Article.objects.values().order_by("pk")),
    ) == before
