"""Boilerplate found in republished copies, as data: adding a language means adding rows.

Each table maps a language code to the words aggregator sites print in that
language. The cleaner (``clean.py``) builds its patterns from these tables;
it does not care which language a word belongs to, so a story in one language
with chrome left over in another is cleaned as well.
"""

# "Source: <url>" / "स्रोत" lines: the attribution at the foot of a copy.
SOURCE_LABELS = {
    "vi": ["Nguồn", "Nguồn tin", "Nguồn bài viết"],
    "en": ["Source", "Sources", "Original source"],
    "hi": ["स्रोत", "स्त्रोत", "सोर्स"],
    "ja": ["出典", "出所", "ソース", "情報源"],
    "zh-hans": ["来源", "來源", "出处", "出處", "消息来源"],
    "ko": ["출처", "원문"],
    "fr": ["Source", "Sources"],
    "ru": ["Источник", "Источники"],
    "lo": ["ທີ່ມາ", "ແຫຼ່ງຂ່າວ", "ແຫຼ່ງທີ່ມາ", "ແຫລ່ງຂ່າວ"],
}

# "Comment (0)": the counter under a story; everything after it is page furniture.
COMMENT_LABELS = {
    "vi": ["Bình luận", "Ý kiến"],
    "en": ["Comment", "Comments"],
    "hi": ["टिप्पणी", "टिप्पणियाँ", "टिप्पणियां"],
    "ja": ["コメント"],
    "zh-hans": ["评论", "評論", "留言"],
    "ko": ["댓글", "코멘트"],
    "fr": ["Commentaire", "Commentaires"],
    "ru": ["Комментарий", "Комментарии", "Комментариев"],
    "lo": ["ຄຳເຫັນ", "ຄໍາເຫັນ"],
}

# Block titles of the related-links area; a line that is exactly one of these
# (after the body) starts the page furniture when no comment counter did.
RELATED_MARKERS = {
    "vi": [
        "Không có dữ liệu",
        "Cùng thẻ",
        "Cùng chủ đề",
        "Cùng chuyên mục",
        "Cùng tác giả",
        "Tin liên quan",
        "Tin cùng chuyên mục",
        "Đọc thêm",
        "Xem thêm",
    ],
    "en": [
        "No data",
        "Same tag",
        "Same category",
        "Same author",
        "Related news",
        "Related articles",
        "Related posts",
        "Read more",
        "See more",
    ],
    "hi": [
        "कोई डेटा नहीं",
        "कोई डाटा नहीं",
        "समान टैग",
        "एक ही टैग",
        "समान श्रेणी",
        "एक ही श्रेणी",
        "एक ही लेखक",
        "समान लेखक",
        "संबंधित समाचार",
        "संबंधित खबरें",
        "और पढ़ें",
    ],
    "ja": [
        "データなし",
        "データがありません",
        "同じタグ",
        "同じカテゴリー",
        "同じカテゴリ",
        "同じ著者",
        "同じ作者",
        "関連記事",
        "関連ニュース",
        "続きを読む",
    ],
    "zh-hans": [
        "无数据",
        "没有数据",
        "暂无数据",
        "同一标签",
        "同标签",
        "相同标签",
        "同一类别",
        "同类别",
        "同一作者",
        "相同作者",
        "相关新闻",
        "相关文章",
        "阅读更多",
    ],
    "ko": [
        "데이터 없음",
        "데이터가 없습니다",
        "같은 태그",
        "동일 태그",
        "같은 카테고리",
        "같은 범주",
        "같은 저자",
        "같은 작가",
        "관련 기사",
        "관련 뉴스",
        "더 보기",
    ],
    "fr": [
        "Pas de données",
        "Aucune donnée",
        "Même étiquette",
        "Même tag",
        "Même catégorie",
        "Même auteur",
        "Articles liés",
        "À lire aussi",
        "Lire la suite",
    ],
    "ru": [
        "Нет данных",
        "Тот же тег",
        "Тот же тэг",
        "Та же категория",
        "Тот же автор",
        "Похожие новости",
        "Связанные новости",
        "Читайте также",
    ],
    "lo": ["ບໍ່ມີຂໍ້ມູນ", "ແທັກດຽວກັນ", "ໝວດດຽວກັນ", "ຜູ້ຂຽນດຽວກັນ", "ຂ່າວທີ່ກ່ຽວຂ້ອງ"],
}

# Site banners printed above the story ("Vietnam.vn - Nền tảng quảng bá Việt Nam").
# Only the first lines of a file are checked against these.
SITE_HEADERS = [
    "Vietnam.vn - Nền tảng quảng bá Việt Nam",
    "Vietnam.vn - Vietnam promotion platform",
    "Vietnam.vn - वियतनाम प्रचार मंच",
    "Vietnam.vn - ベトナムプロモーションプラットフォーム",
    "Vietnam.vn - 越南推广平台",
]
# Any first line shaped "<domain> - <tagline>" is a banner too.
SITE_HEADER_PATTERN = (
    r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|info|asia|news|la|cn|kr|jp|in|ru|fr)\s*[-–—|:]\s*.{1,120}"
)

# "Photo: Bac Ninh Industrial Promotion Center" at the end of a caption.
CREDIT_LABELS = {
    "vi": ["Ảnh", "Ảnh minh họa", "Nguồn ảnh"],
    "en": ["Photo", "Photos", "Photo credit", "Image", "Picture"],
    "hi": ["फोटो", "फ़ोटो", "चित्र", "तस्वीर"],
    "ja": ["写真", "画像"],
    "zh-hans": ["图", "图片", "照片", "摄影", "圖片"],
    "ko": ["사진"],
    "fr": ["Photo", "Crédit photo", "Image"],
    "ru": ["Фото", "Фотография"],
    "lo": ["ພາບ", "ຮູບ", "ຮູບພາບ"],
}

# "By Nguyen Van A" / "Tác giả: …" when a byline carries a label.
BYLINE_LABELS = {
    "vi": ["Tác giả", "Bài và ảnh", "Bài, ảnh", "Bài"],
    "en": ["By", "Written by", "Author"],
    "hi": ["लेखक", "द्वारा"],
    "ja": ["文", "記者", "著者"],
    "zh-hans": ["作者", "记者", "文"],
    "ko": ["기자", "글"],
    "fr": ["Par", "Auteur"],
    "ru": ["Автор", "Текст"],
    "lo": ["ຜູ້ຂຽນ", "ໂດຍ"],
}

# Image file extensions that mark a bare file-name line ("40.jpg").
IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "tif", "tiff"]

# Characters that end a sentence in the default languages.
SENTENCE_ENDINGS = ".!?…।॥。！？"

# Limits of the line shapes the cleaner recognises.
HEADLINE_MAX_CHARS = 200
BYLINE_MAX_CHARS = 60
BYLINE_MAX_WORDS = 5
PROVISIONAL_HEADLINE_MAX_CHARS = 160
# Lines longer than this are body text: the boilerplate rules never look at them.
CHROME_MAX_CHARS = 300
