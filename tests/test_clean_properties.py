"""Properties of the cleaner over generated text (hypothesis): it never loses or invents a line."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsroom.ingest.clean import clean
from newsroom.ingest.decode import Rejected, normalise

# Lines mixing prose in several scripts with the chrome the cleaner looks for.
CHROME = [
    "![]() |",
    "Ảnh minh họa. |",
    "40.jpg",
    "Source: https://example.vn/a.html",
    "स्रोत",
    "出典: https://example.jp/b",
    "Comment (0)",
    "टिप्पणी (0)",
    "No data",
    "Same tag",
    "Vietnam.vn - Nền tảng quảng bá Việt Nam",
    "Báo XBáo X24/11/2025",
    "By Tran Van A",
    "Nguyễn Văn A",
    "",
]
PROSE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=0,
    max_size=120,
)
LINES = st.lists(st.one_of(st.sampled_from(CHROME), PROSE), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_cleaner_never_loses_or_invents_lines(lines):
    """For any text: no exception but a no-content rejection; every kept line is a line of the
    normalised input; every input line is kept, turned into data, or reported with its rule."""
    text = normalise("\n".join(lines))
    try:
        story = clean(text)
    except Rejected as rejection:
        assert rejection.code == "no-content"
        return
    input_lines = text.split("\n")
    kept = [story.lead, *story.paragraphs] + ([] if story.title_provisional else [story.title])
    for line in kept:
        assert line in input_lines
    removed = {removed.line - 1 for removed in story.removed}
    for number, line in enumerate(input_lines):
        if line and number not in removed:
            assert line in kept, (number, line)
    for removed_line in story.removed:
        assert input_lines[removed_line.line - 1] == removed_line.text
        assert removed_line.rule
