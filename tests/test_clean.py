"""The cleaner on one hand-made sample per quirk, and on stories in other languages."""

from datetime import date

import pytest

from newsroom.ingest.clean import clean, provisional_headline
from newsroom.ingest.decode import Rejected, decode, normalise
from newsroom.text import blocks
from tests.conftest import DATA


def cleaned(name: str):
    return clean(normalise(decode((DATA / name).read_bytes(), 10**7).text))


def rules_of(story) -> dict[str, str]:
    return {line.text: line.rule for line in story.removed}


def everything(story) -> str:
    return "\n".join([story.title, story.lead, *story.paragraphs])


def test_placeholder_and_caption_line_become_an_image():
    """`![]() |` and the caption line after it leave the body and become captions; `Ảnh:` is the credit."""
    story = cleaned("placeholder_caption.txt")
    assert [c.text for c in story.captions] == [
        "Toàn cảnh buổi làm việc tại cửa khẩu Hữu Nghị.",
        "Lãnh đạo hai bên trao đổi tại hội nghị.",
    ]
    assert [c.credit for c in story.captions] == ["", "Báo Lạng Sơn"]
    assert rules_of(story)["![]() |"] == "image-placeholder"
    assert "|" not in everything(story)
    assert "Lạng Sơn cũng đề xuất xây dựng cửa khẩu thông minh." in story.paragraphs


def test_placeholder_with_alt_url_and_inline_caption():
    """`![alt](url) | caption (Photo: X) |` on one line gives alt text, source, caption and credit."""
    story = cleaned("placeholder_inline.txt")
    (caption,) = story.captions
    assert caption.alt_text == "Booths at the fair"
    assert caption.source_name == "https://example.vn/images/fair.jpg"
    assert caption.text == "Visitors at the supporting industry fair."
    assert caption.credit == "Hai Phong Newspaper"


def test_bare_image_file_name_and_its_caption():
    """A `IMG_2031.JPEG` line and the caption under it become an image with its credit separated."""
    story = cleaned("bare_image_file.txt")
    (caption,) = story.captions
    assert caption.source_name == "IMG_2031.JPEG"
    assert caption.text == "A worker operates a new machine at a bamboo workshop."
    assert caption.credit == "Da Nang Industrial Promotion Center"
    assert "IMG_2031.JPEG" not in everything(story)


def test_source_line_with_url_in_another_language_than_the_story():
    """A Chinese `来源：URL` under a Japanese story is still the source line; `コメント (0)` ends the story."""
    story = cleaned("source_lines.txt")
    assert story.source_url == "https://example.cn/news/vientiane-hanoi.html"
    assert rules_of(story)["コメント (0)"] == "comment-counter"
    assert all("来源" not in p for p in story.paragraphs)


def test_source_line_with_a_name_and_no_url():
    """`Source: Ninh Binh Newspaper` names the outlet and invents no URL."""
    story = cleaned("source_name_only.txt")
    assert story.source_url == ""
    assert story.outlet_name == "Ninh Binh Newspaper"
    assert rules_of(story)["Source: Ninh Binh Newspaper"] == "source-line"


def test_bare_source_word_is_removed_without_inventing_a_source():
    """A lone `स्रोत` line is chrome: removed, with no URL and no outlet."""
    story = cleaned("provisional_headline.txt")
    assert rules_of(story)["स्रोत"] == "source-line"
    assert story.source_url == "" and story.outlet_name == ""


def test_a_sentence_starting_with_source_in_the_body_is_kept():
    """`Source: the General Statistics Office said …` followed by more text is body, not attribution."""
    story = cleaned("source_in_body.txt")
    assert any(p.startswith("Source: the General Statistics Office") for p in story.paragraphs)
    assert story.paragraphs[-1] == "Electronics account for 70% of the province's exports."
    assert story.source_url == ""


def test_comment_counters_and_related_links_in_korean():
    """`댓글 (3)` and everything after it leave; the Korean body stays."""
    story = cleaned("comment_counters.txt")
    assert rules_of(story)["댓글 (3)"] == "comment-counter"
    assert rules_of(story)["박닌성, 신규 산업단지 승인"] == "after-comment-counter"
    assert story.source_url == "https://example.kr/news/bacninh-laos.html"
    assert story.lead == "박닌성은 라오스 사이솜분성과 산업 협력을 강화하기로 합의했다."
    assert story.paragraphs == ("양측 대표단은 국경 무역과 산업단지 개발 경험을 교류했다.",)


def test_everything_after_the_comment_counter_is_removed():
    """`No data`, `Same category`, related headlines and navigation words after the counter all go."""
    story = cleaned("after_comment_counter.txt")
    rules = rules_of(story)
    for line in ["Không có dữ liệu", "Cùng chuyên mục", "Giá xăng giảm lần thứ ba liên tiếp", "Kinh tế"]:
        assert rules[line] == "after-comment-counter"
    assert story.paragraphs[-1] == "Hai bên thống nhất tăng cường trao đổi hàng hóa qua cửa khẩu Nậm Cắn."


def test_related_links_block_without_a_comment_counter():
    """A `Related news` block of short headlines at the foot is removed even with no counter."""
    story = cleaned("related_block.txt")
    assert rules_of(story)["Related news"] == "related-links"
    assert rules_of(story)["Guangxi delegation visits Quang Ninh"] == "related-links"
    assert story.paragraphs == ("The two sides will also cooperate on cross-border tourism.",)


def test_site_header_generic_domain_banner():
    """A first line shaped `domain.vn - tagline` is a site banner."""
    story = cleaned("site_header.txt")
    assert rules_of(story)["baocongthuong.vn - Tin tức công thương mới nhất"] == "site-header"
    assert story.title == "Hưng Yên hỗ trợ 20 cơ sở công nghiệp nông thôn"


def test_glued_publisher_and_day_first_date():
    """`Báo Công ThươngBáo Công Thương03/04/2025 08:30` is the outlet and 3 April 2025 (day first)."""
    story = cleaned("publisher_date.txt")
    assert story.outlet_name == "Báo Công Thương"
    assert story.published_on == date(2025, 4, 3)
    assert rules_of(story)["Báo Công ThươngBáo Công Thương03/04/2025 08:30"] == "publisher-date"


def test_byline_above_the_source_line():
    """A short name line above the source line is the byline, not body text."""
    story = cleaned("byline.txt")
    assert story.byline == "Minh Anh"
    assert story.outlet_name == "Báo Quảng Trị"
    assert "Minh Anh" not in everything(story)


def test_labelled_byline_at_the_end():
    """`By Tran Van Binh` gives the name without its label."""
    story = cleaned("byline_labelled.txt")
    assert story.byline == "Tran Van Binh"


def test_a_story_ending_with_a_sentence_has_no_byline():
    """The last body sentence is not mistaken for a byline."""
    story = cleaned("source_name_only.txt")
    assert story.byline == ""
    assert story.paragraphs[-1] == "Many products reached a four-star OCOP rating this year."


def test_own_headline_lead_and_subheadings():
    """The file's headline is used as is; the lead is the first paragraph; a subheading stays a heading."""
    story = cleaned("own_headline.txt")
    assert story.title == "Bac Ninh completes 224 industrial promotion projects"
    assert story.title_provisional is False
    assert story.lead.startswith("In the period 2021 - 2025")
    assert blocks(story.body) == [
        ("heading", "Results by district"),
        ("paragraph", "Yen Phong and Que Vo received the most support."),
    ]


def test_provisional_headline_from_the_first_sentence():
    """Without a headline the first sentence becomes one, flagged for editors; the lead keeps the sentence."""
    story = cleaned("provisional_headline.txt")
    assert story.title_provisional is True
    assert (
        story.title
        == "लाओ काई प्रांत के उद्योग और व्यापार विभाग ने युन्नान प्रांत के साथ सीमा व्यापार बढ़ाने के लिए एक समझौते पर हस्ताक्षर किए"
    )
    assert story.lead.startswith(story.title)


def test_long_first_sentence_is_cut_at_a_word():
    """A provisional headline is at most 160 characters and ends on a whole word."""
    headline = provisional_headline("word " * 100 + ".")
    assert len(headline) <= 161 and headline.endswith("word…")


def test_markup_stays_literal_text():
    """`<script>` and template syntax are kept as characters, never interpreted or dropped."""
    story = cleaned("markup_as_text.txt")
    assert story.title == "Lai Chau <b>promotes</b> OCOP tea"
    assert '<script>alert("x")</script>' in story.lead
    assert "{{ settings.SECRET_KEY }} {% debug %}" in story.paragraphs[0]


def test_chrome_only_file_is_rejected_as_no_content():
    """A file with nothing but site chrome is refused with `no-content`."""
    with pytest.raises(Rejected) as error:
        cleaned("chrome_only.txt")
    assert error.value.code == "no-content"


@pytest.mark.parametrize("name", ["story_ru.txt", "story_zh.txt", "comment_counters.txt", "placeholder_caption.txt"])
def test_other_languages_come_out_as_clean(name):
    """Stories in languages no seed uses lose the same kinds of noise."""
    story = cleaned(name)
    text = everything(story)
    for chrome in ["![", " |", "(0)", "http", "Vietnam.vn", "Источник", "来源", "출처", "Nguồn"]:
        assert chrome not in text, chrome


def test_russian_story_in_full():
    """Banner, glued outlet/date, placeholder with `Фото:` credit, byline, source and related block."""
    story = cleaned("story_ru.txt")
    assert story.title.startswith("Провинция Лангшон и Гуанси")
    assert story.outlet_name == "Газета Лангшон"
    assert story.published_on == date(2025, 9, 12)
    assert story.captions[0].text == "Переговоры делегаций двух сторон."
    assert story.captions[0].credit == "Газета Лангшон"
    assert story.byline == "Нгуен Тхань"
    assert story.source_url == "https://baolangson.vn/ru/prigranichnaya-torgovlya-789.html"
    assert story.paragraphs == (
        "Стороны также обсудили строительство «умных» пунктов пропуска и развитие приграничной торговли.",
    )


def test_every_removed_line_names_its_rule_and_position():
    """The removed lines are reported with 1-based line numbers in the normalised text."""
    text = normalise(decode((DATA / "after_comment_counter.txt").read_bytes(), 10**7).text)
    story = clean(text)
    lines = text.split("\n")
    for removed in story.removed:
        assert lines[removed.line - 1] == removed.text
        assert removed.rule


def test_two_million_character_line():
    """A single enormous line is kept as the body, not a crash or a hang."""
    story = clean(normalise("Bắc Ninh " * 250_000))
    assert story.title_provisional and len(story.lead) == 2_249_999
