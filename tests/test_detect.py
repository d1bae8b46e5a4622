"""Language detection: scripts decide alone, Latin text goes to the statistical model."""

import pytest

from newsroom.ingest.detect import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("बाक निन्ह प्रांत के उद्योग और व्यापार विभाग ने बैठक की।", "hi"),
        ("バクニン省商工局は会議を開催した。", "ja"),
        ("北宁省工贸厅举行会议。", "zh-hans"),
        ("박닌성 산업통상국이 회의를 열었다.", "ko"),
        ("Департамент промышленности и торговли провёл совещание.", "ru"),
        ("ພະແນກອຸດສາຫະກຳ ແລະ ການຄ້າ ແຂວງບັກນິງ ໄດ້ຈັດກອງປະຊຸມ.", "lo"),
        ("Sở Công Thương tỉnh Bắc Ninh tổ chức hội nghị tổng kết công tác khuyến công.", "vi"),
        ("The Department of Industry and Trade of Bac Ninh held a conference on industrial promotion.", "en"),
        ("Le département de l'Industrie et du Commerce de Bac Ninh a organisé une conférence.", "fr"),
    ],
)
def test_each_default_language(text, language):
    """Every default language is recognised from a sentence of its own."""
    assert detect(text).language == language


def test_japanese_with_mostly_kanji_is_japanese():
    """Kanji-heavy Japanese is not taken for Chinese: any real share of kana decides."""
    text = "省人民委員会事務局、商工省、省工業団地管理委員会、科学技術省、財務省の代表者らも出席した。"
    assert detect(text).language == "ja"


def test_script_decisions_are_marked_as_such():
    """Script decisions say so; Latin text is decided by the model."""
    assert detect("बाक निन्ह").method == "script"
    assert detect("Bac Ninh province held a conference today.").method == "statistical"


def test_no_letters_means_no_language():
    """Digits and punctuation do not name a language."""
    assert detect("2025 - 10.5% (+3)").language is None


def test_language_outside_the_configured_set_is_reported_as_is():
    """Thai is recognised as Thai, so the loader can say it is not a content language."""
    assert detect("จังหวัดบั๊กนิญส่งเสริมอุตสาหกรรม").language == "th"
