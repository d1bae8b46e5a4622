"""Import benchmark: synthetic raw stories through ``manage.py import_seeds``, timed and measured.

Generates N raw story files (default 10,000) with seed-like noise in eight
languages (image placeholders and captions, bare image file names, source
lines, comment counters, related-link blocks, site banners, glued
publisher/date lines, bylines), about 1% of them bad (empty, PNG, invalid
UTF-8, chrome only) and one a single 2,000,000-character line. Then, on a
fresh database, each phase runs as its own child process, measured for wall
clock and peak RSS (of the command and its worker processes together; phases do not mix):

1. the 2,000,000-character line imported alone;
2. the first import of all N files;
3. a re-import of the same, unchanged files.

It checks that every good file became exactly one story and prints the
figures next to the targets. Exit status 0 whether or not targets are met;
1 when an import crashed or the counts are wrong.

Run (SQLite in a temporary folder):
    .venv/bin/python bench/import_bench.py [--files N] [--keep]
PostgreSQL (the database is created, and dropped afterwards unless --keep):
    .venv/bin/python bench/import_bench.py --files 2000 \\
        --database-url postgres://postgres@127.0.0.1:5432/newsroom_bench
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
MANAGE = REPO / "manage.py"
SEED = 20251124
HUGE_LINE_CHARS = 2_000_000
BAD_KINDS = ("empty", "png", "invalid-utf8", "chrome-only")
# ru_maxrss is in kilobytes on Linux, in bytes on macOS.
MAXRSS_BYTES = 1 if sys.platform == "darwin" else 1024

# Targets, as agreed for the import: 10,000 files in 60 s, re-import at 2,000 files/s, under 500 MB.
FIRST_IMPORT_SECONDS_PER_10K = 60.0
REIMPORT_FILES_PER_SECOND = 2000.0
PEAK_MEMORY_MB = 500.0


# -- what stories are made of -------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """One language: sentences and headlines with ``{n}`` for a number, and the chrome sites print around them."""

    code: str
    sentences: tuple[str, ...]
    headlines: tuple[str, ...]
    captions: tuple[str, ...]
    bylines: tuple[str, ...]
    publishers: tuple[str, ...]
    source_label: str
    comment_label: str
    credit_label: str
    related: tuple[str, ...]
    colon: str = ": "
    joiner: str = " "


POOLS = (
    Pool(
        code="vi",
        sentences=(
            "Sở Công Thương tỉnh Bắc Ninh đã triển khai {n} đề án khuyến công với tổng kinh phí gần {n} tỷ đồng.",
            "Tỉnh Bắc Ninh hiện có {n} sản phẩm OCOP đạt từ 3 sao trở lên, trong đó {n} sản phẩm đạt 4 sao.",
            "Đoàn công tác gồm {n} thành viên của tỉnh Xaysomboun (Lào) đã làm việc với Sở Công Thương Bắc Ninh.",
            "Kim ngạch qua các cửa khẩu với Quảng Tây (Trung Quốc) đạt {n} triệu USD trong {n} tháng đầu năm.",
            "Chương trình khuyến công quốc gia đã hỗ trợ {n} cơ sở công nghiệp nông thôn đổi mới máy móc thiết bị.",
            "Các khu công nghiệp Yên Phong, Quế Võ thu hút thêm {n} dự án FDI với tổng vốn {n} triệu USD.",
            "Tỉnh Lạng Sơn và Khu tự trị dân tộc Choang Quảng Tây thống nhất xây dựng {n} cửa khẩu thông minh.",
            "Trung tâm Khuyến công tỉnh đã tổ chức {n} lớp tập huấn về chuyển đổi số cho doanh nghiệp nhỏ.",
            "Giá trị sản xuất công nghiệp của tỉnh tăng {n}% so với cùng kỳ năm trước.",
        ),
        headlines=(
            "Bắc Ninh hoàn thành {n} đề án khuyến công",
            "Tăng cường hợp tác giữa Bắc Ninh và Xaysomboun (Lào) năm {n}",
            "Lạng Sơn và Quảng Tây đẩy mạnh thương mại biên giới",
            "Thêm {n} sản phẩm OCOP của Bắc Ninh đạt 4 sao",
        ),
        captions=("Toàn cảnh buổi làm việc.", "Lãnh đạo hai bên trao đổi tại hội nghị.", "Sản phẩm OCOP tại hội chợ."),
        bylines=("Minh Anh", "Nguyễn Thanh", "Lê Hà"),
        publishers=("Báo Đại biểu Nhân dân", "Báo Bắc Ninh", "Báo Lạng Sơn"),
        source_label="Nguồn",
        comment_label="Bình luận",
        credit_label="Ảnh",
        related=("Không có dữ liệu", "Cùng thẻ", "Cùng chuyên mục", "Tin liên quan"),
    ),
    Pool(
        code="en",
        sentences=(
            "The Department of Industry and Trade of Bac Ninh implemented {n} industrial promotion projects "
            "with a budget of nearly {n} billion VND.",
            "Bac Ninh now has {n} OCOP products rated three stars or more, {n} of them with four stars.",
            "A delegation of {n} officials from Xaisomboun province (Laos) worked with the Bac Ninh department.",
            "Trade through the border gates with Guangxi reached {n} million USD in the first {n} months of the year.",
            "The national industrial promotion programme helped {n} rural industrial establishments replace machinery.",
            "The Yen Phong and Que Vo industrial parks attracted {n} new FDI projects worth {n} million USD.",
            "Lang Son and the Guangxi Zhuang Autonomous Region agreed to build {n} smart border gates.",
            "The provincial Industrial Promotion Center held {n} training courses on digital transformation.",
            "Industrial production in the province grew by {n}% over the same period last year.",
        ),
        headlines=(
            "Bac Ninh completes {n} industrial promotion projects",
            "Bac Ninh and Xaisomboun strengthen cooperation in industry and trade",
            "Lang Son and Guangxi agree on {n} smart border gates",
            "OCOP products of Bac Ninh reach new markets",
        ),
        captions=("The working session between the two departments.", "Visitors at the OCOP fair.", "A new workshop."),
        bylines=("Tran Van Binh", "Minh Anh", "Lan Huong"),
        publishers=("Bac Ninh Newspaper", "Vietnam News Agency", "Industry and Trade Newspaper"),
        source_label="Source",
        comment_label="Comment",
        credit_label="Photo",
        related=("No data", "Same tag", "Same category", "Same author", "Related news"),
    ),
    Pool(
        code="hi",
        sentences=(
            "बाक निन्ह प्रांत के उद्योग और व्यापार विभाग ने लगभग {n} बिलियन VND के बजट से {n} औद्योगिक संवर्धन परियोजनाएं लागू कीं।",
            "बाक निन्ह में अब {n} OCOP उत्पाद हैं जिन्हें तीन या अधिक सितारे मिले हैं।",
            "लाओस के साइसोम्बून प्रांत के {n} सदस्यीय प्रतिनिधिमंडल ने बाक निन्ह के विभाग के साथ काम किया।",
            "गुआंग्शी के साथ सीमा द्वारों से व्यापार पहले {n} महीनों में {n} मिलियन USD तक पहुंच गया।",
            "राष्ट्रीय औद्योगिक संवर्धन कार्यक्रम ने {n} ग्रामीण औद्योगिक प्रतिष्ठानों को नई मशीनें खरीदने में मदद की।",
            "येन फोंग और क्यू वो औद्योगिक पार्कों ने {n} नई FDI परियोजनाएं आकर्षित कीं।",
            "लैंग सोन और गुआंग्शी ने {n} स्मार्ट सीमा द्वार बनाने पर सहमति व्यक्त की।",
            "प्रांत का औद्योगिक उत्पादन पिछले वर्ष की तुलना में {n}% बढ़ा।",
        ),
        headlines=(
            "बाक निन्ह ने {n} औद्योगिक संवर्धन परियोजनाएं पूरी कीं",
            "बाक निन्ह और लाओस के बीच व्यापार सहयोग",
            "गुआंग्शी के साथ सीमा व्यापार में वृद्धि",
        ),
        captions=("दोनों विभागों के बीच कार्य सत्र का दृश्य।", "OCOP मेले में आगंतुक।"),
        bylines=("लाल चंद्रमा", "मिन्ह आन्ह"),
        publishers=("बाक निन्ह समाचार", "वियतनाम समाचार"),
        source_label="स्रोत",
        comment_label="टिप्पणी",
        credit_label="फोटो",
        related=("कोई डेटा नहीं", "समान टैग", "संबंधित समाचार"),
    ),
    Pool(
        code="ja",
        sentences=(
            "バクニン省商工局は、約{n}億ドンの予算で{n}件の産業振興プロジェクトを実施した。",
            "バクニン省には現在、3つ星以上のOCOP製品が{n}品目ある。",
            "ラオスのサイソムブーン県から{n}人の代表団がバクニン省商工局を訪問した。",
            "広西チワン族自治区との国境ゲートを通じた貿易額は、年初{n}か月で{n}百万ドルに達した。",
            "国家産業振興プログラムは、{n}の農村工業施設の機械更新を支援した。",
            "イエンフォン工業団地とクエボー工業団地は、{n}件の新規FDIプロジェクトを誘致した。",
            "ランソン省と広西チワン族自治区は、{n}か所のスマート国境ゲートを建設することで合意した。",
            "省の工業生産は前年同期比で{n}%増加した。",
        ),
        headlines=(
            "バクニン省、{n}件の産業振興プロジェクトを完了",
            "バクニン省とラオスが商工業協力を強化",
            "広西との国境貿易が拡大",
        ),
        captions=("会議風景。", "ファム・ヴァン・ティン同志が会議で演説した。"),
        bylines=("グエン・タイン", "ミン・アイン"),
        publishers=("バクニン新聞", "ベトナム通信"),
        source_label="出典",
        comment_label="コメント",
        credit_label="写真",
        related=("データなし", "同じタグ", "関連記事"),
        joiner="",
    ),
    Pool(
        code="zh-hans",
        sentences=(
            "北宁省工贸厅实施了{n}个工业促进项目，资金总额近{n}亿越南盾。",
            "北宁省目前拥有{n}个三星级以上的OCOP产品。",
            "老挝赛宋本省{n}人代表团与北宁省工贸厅举行工作会谈。",
            "今年前{n}个月，经与广西口岸的贸易额达到{n}百万美元。",
            "国家工业促进计划帮助{n}家农村工业企业更新机器设备。",
            "安丰和桂武工业园区新吸引{n}个外国直接投资项目。",
            "谅山省与广西壮族自治区同意建设{n}个智慧口岸。",
            "全省工业生产同比增长{n}%。",
        ),
        headlines=("北宁省完成{n}个工业促进项目", "越南北宁省与老挝赛宋本省加强工贸合作", "广西边境贸易持续增长"),
        captions=("两省工贸厅举行工作会谈。", "OCOP产品展销会现场。"),
        bylines=("阮明", "黎河"),
        publishers=("北宁报", "越通社"),
        source_label="来源",
        comment_label="评论",
        credit_label="图片",
        related=("暂无数据", "同一标签", "相关新闻"),
        colon="：",
        joiner="",
    ),
    Pool(
        code="ko",
        sentences=(
            "박닌성 산업통상국은 약 {n}억 동의 예산으로 {n}개의 산업 진흥 사업을 시행했다.",
            "박닌성에는 현재 3성 이상의 OCOP 제품이 {n}개 있다.",
            "라오스 사이솜분성 대표단 {n}명이 박닌성 산업통상국을 방문했다.",
            "올해 첫 {n}개월 동안 광시와의 국경 무역액은 {n}백만 달러에 달했다.",
            "국가 산업 진흥 프로그램은 {n}개 농촌 산업 시설의 기계 교체를 지원했다.",
            "옌퐁과 꿰보 산업단지는 {n}건의 신규 FDI 사업을 유치했다.",
            "랑선성과 광시 좡족 자치구는 {n}개의 스마트 국경 관문을 건설하기로 합의했다.",
            "성의 산업 생산은 전년 동기 대비 {n}% 증가했다.",
        ),
        headlines=("박닌성 산업 진흥 사업 {n}건 완료", "박닌성과 라오스 산업 협력 강화", "광시와의 국경 무역 확대"),
        captions=("양측 대표단 회의 모습.", "OCOP 박람회를 찾은 방문객들."),
        bylines=("김민수", "이하나"),
        publishers=("박닌 신문", "베트남 통신"),
        source_label="출처",
        comment_label="댓글",
        credit_label="사진",
        related=("데이터 없음", "같은 태그", "관련 기사"),
    ),
    Pool(
        code="ru",
        sentences=(
            "Департамент промышленности и торговли провинции Бакнинь реализовал {n} проектов содействия "
            "промышленности с бюджетом почти {n} млрд донгов.",
            "В Бакнине сейчас {n} продуктов OCOP с тремя и более звёздами.",
            "Делегация из {n} человек из провинции Сайсомбун (Лаос) посетила департамент Бакниня.",
            "Товарооборот через пункты пропуска с Гуанси за первые {n} месяцев года составил {n} млн долларов.",
            "Национальная программа содействия промышленности помогла {n} сельским предприятиям обновить оборудование.",
            "Индустриальные парки Йенфонг и Куево привлекли {n} новых проектов с иностранными инвестициями.",
            "Лангшон и Гуанси-Чжуанский автономный район договорились построить {n} «умных» пунктов пропуска.",
            "Промышленное производство провинции выросло на {n}% по сравнению с прошлым годом.",
        ),
        headlines=(
            "Бакнинь завершил {n} проектов содействия промышленности",
            "Бакнинь и Лаос расширяют торговое сотрудничество",
            "Приграничная торговля с Гуанси растёт",
        ),
        captions=("Переговоры делегаций двух сторон.", "Посетители ярмарки OCOP."),
        bylines=("Нгуен Тхань", "Минь Ань"),
        publishers=("Газета Лангшон", "Вьетнамское информагентство"),
        source_label="Источник",
        comment_label="Комментарии",
        credit_label="Фото",
        related=("Нет данных", "Тот же тег", "Похожие новости"),
    ),
    Pool(
        code="fr",
        sentences=(
            "Le Département de l'Industrie et du Commerce de Bac Ninh a mis en œuvre {n} projets de promotion "
            "industrielle pour près de {n} milliards de dongs.",
            "Bac Ninh compte désormais {n} produits OCOP classés trois étoiles ou plus.",
            "Une délégation de {n} personnes de la province de Xaisomboun (Laos) a rencontré le département.",
            "Les échanges aux postes-frontières avec le Guangxi ont atteint {n} millions de dollars "
            "au cours des {n} premiers mois de l'année.",
            "Le programme national de promotion industrielle a aidé {n} établissements ruraux à se moderniser.",
            "Les parcs industriels de Yen Phong et Que Vo ont attiré {n} nouveaux projets d'investissement étranger.",
            "Lang Son et la région autonome Zhuang du Guangxi ont convenu de construire {n} postes-frontières.",
            "La production industrielle de la province a progressé de {n} % sur un an.",
        ),
        headlines=(
            "Bac Ninh achève {n} projets de promotion industrielle",
            "Bac Ninh et le Laos renforcent leur coopération",
            "Le commerce frontalier avec le Guangxi progresse",
        ),
        captions=("La séance de travail entre les deux départements.", "Des visiteurs à la foire OCOP."),
        bylines=("Marie Dupont", "Thanh Huong"),
        publishers=("Journal de Bac Ninh", "Le Courrier du Vietnam"),
        source_label="Source",
        comment_label="Commentaires",
        credit_label="Photo",
        related=("Aucune donnée", "Même catégorie", "Articles liés"),
    ),
)

HOSTS = ("baobacninhtv.vn", "daibieunhandan.vn", "baolangson.vn", "congthuong.vn", "baoquangninh.vn")
SITE_HEADERS = (
    "Vietnam.vn - Nền tảng quảng bá Việt Nam",
    "Vietnam.vn - Vietnam promotion platform",
    "baobacninhtv.vn - Báo Bắc Ninh điện tử",
    "congthuong.vn | Báo Công Thương",
)
PLACEHOLDER = re.compile(r"\{n\}")


# -- generating the files -------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    folder: Path
    files: int
    bad: int
    huge: Path

    @property
    def good(self) -> int:
        return self.files - self.bad


def fill(rng: random.Random, template: str) -> str:
    return PLACEHOLDER.sub(lambda _: str(rng.randint(2, 999)), template)


def paragraph(rng: random.Random, pool: Pool) -> str:
    return pool.joiner.join(fill(rng, sentence) for sentence in rng.sample(pool.sentences, rng.randint(1, 3)))


def image(rng: random.Random, pool: Pool, spaced: bool) -> str:
    """An image placeholder or a bare file name, with its caption (and sometimes a credit) after it."""
    caption = rng.choice(pool.captions)
    if rng.random() < 0.5:
        caption += f" {pool.credit_label}{pool.colon}{rng.choice(pool.publishers)}"
    shape = rng.choice(("placeholder", "inline", "file") if spaced else ("placeholder", "inline"))
    if shape == "placeholder":
        return f"![]() |\n{caption} |"
    if shape == "inline":
        return f"![{caption}](https://{rng.choice(HOSTS)}/images/{rng.randint(1, 99_999)}.jpg) | {caption} |"
    return f"{rng.randint(1, 999)}.jpg\n{caption}"


def publisher_date(rng: random.Random, pool: Pool) -> str:
    """A scraped logo and date glued together: ``Báo XBáo X24/11/2025``."""
    name = rng.choice(pool.publishers)
    time_of_day = f" {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.5 else ""
    return f"{name}{name}{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2023, 2025)}{time_of_day}"


def source_line(rng: random.Random, pool: Pool, index: int) -> str | None:
    """Mostly ``Source: <unique URL>``; else the bare label, the label and a name, or no line at all."""
    if rng.random() < 0.85:
        url = f"https://{rng.choice(HOSTS)}/{pool.code}/tin-{index}-postid{rng.randint(100_000, 999_999)}.bbg"
        return f"{pool.source_label}{pool.colon}{url}"
    return rng.choice((pool.source_label, f"{pool.source_label}{pool.colon}{rng.choice(pool.publishers)}", None))


def footer(rng: random.Random, pool: Pool) -> str | None:
    """The comment counter and related-link block after it, a related-link block alone, or nothing."""
    links = [fill(rng, rng.choice(pool.headlines)) for _ in range(rng.randint(0, 4))]
    related = [*rng.sample(pool.related, rng.randint(1, len(pool.related))), *links]
    shape = rng.choice(("counter", "counter", "related", "none"))
    if shape == "counter":
        blank_lines = "\n" * rng.randint(0, 8)
        return "\n".join([f"{blank_lines}{pool.comment_label} ({rng.randint(0, 30)})", *related])
    if shape == "related":
        return "\n".join(related)
    return None


def good_story(rng: random.Random, pool: Pool, index: int) -> str:
    spaced = rng.random() < 0.5
    paragraphs = [paragraph(rng, pool) for _ in range(rng.randint(3, 15))]
    blocks: list[str | None] = [
        rng.choice(SITE_HEADERS) if rng.random() < 0.3 else None,
        fill(rng, rng.choice(pool.headlines)) if rng.random() < 0.5 else None,
        paragraphs[0],
        publisher_date(rng, pool) if rng.random() < 0.25 else None,
    ]
    for text in paragraphs[1:]:
        blocks.append(image(rng, pool, spaced) if rng.random() < 0.2 else None)
        blocks.append(text)
    blocks.append(rng.choice(pool.bylines) if rng.random() < 0.4 else None)
    blocks.append(source_line(rng, pool, index))
    blocks.append(footer(rng, pool))
    return ("\n\n" if spaced else "\n").join(block for block in blocks if block is not None) + "\n"


def bad_file(rng: random.Random, kind: str, index: int) -> bytes:
    if kind == "empty":
        return b""
    if kind == "png":
        return b"\x89PNG\r\n\x1a\n" + rng.randbytes(256)
    if kind == "invalid-utf8":
        # 0x81, 0x8d, 0x8f, 0x90 are undefined in Windows-1252 too: neither decoding reads it.
        return f"Tin kinh tế Bắc Ninh {index} ".encode() + b"\x81\x8d\x8f\x90 OCOP"
    return (
        f"Vietnam.vn - Nền tảng quảng bá Việt Nam\n\n![]() |\n\n"
        f"Source: https://vietnam.vn/chrome-{index}.html\n\nComment (0)\n\nNo data\nSame tag\n"
    ).encode()


def huge_line(rng: random.Random) -> str:
    """Vietnamese sentences on one line, cut at exactly ``HUGE_LINE_CHARS`` characters."""
    pool = POOLS[0]
    sentences: list[str] = []
    length = 0
    while length < HUGE_LINE_CHARS:
        sentences.append(fill(rng, rng.choice(pool.sentences)))
        length += len(sentences[-1]) + 1
    return " ".join(sentences)[:HUGE_LINE_CHARS]


def write_corpus(folder: Path, files: int) -> Corpus:
    """``files`` files in ``folder``: one huge line, ~1% bad ones (every kind at least once), the rest good."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True)
    huge_index, *bad_indices = rng.sample(range(files), 1 + max(len(BAD_KINDS), files // 100))
    bad = {index: BAD_KINDS[number % len(BAD_KINDS)] for number, index in enumerate(bad_indices)}
    huge = folder / f"story_{huge_index:06d}_huge_line.txt"
    huge.write_text(huge_line(rng), encoding="utf-8")
    for index in range(files):
        if index == huge_index:
            continue
        if index in bad:
            (folder / f"story_{index:06d}_bad_{bad[index]}.txt").write_bytes(bad_file(rng, bad[index], index))
        else:
            pool = rng.choice(POOLS)
            (folder / f"story_{index:06d}_{pool.code}.txt").write_text(good_story(rng, pool, index), encoding="utf-8")
    return Corpus(folder, files, len(bad), huge)


# -- the database -------------------------------------------------------------------


class BenchError(Exception):
    """The benchmark cannot go on, or its result is wrong."""


def psql(server_url: str, sql: str) -> str:
    result = subprocess.run(
        ["psql", server_url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BenchError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


@contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[str]:
    """Create the database named in ``url`` (it must not exist yet) and drop it at the end unless ``keep``."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BenchError(f"Use a plain database name in --database-url, not {name!r}.")
    server = parts._replace(path="/postgres").geturl()
    if psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        raise BenchError(f"Database {name} already exists (left by --keep?); drop it or name another one.")
    psql(server, f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        if keep:
            print(f"Kept the database: {url}")
        else:
            psql(server, f'DROP DATABASE "{name}"')


@contextmanager
def database(url: str | None, workdir: Path, keep: bool) -> Iterator[str]:
    """The URL of a fresh database: SQLite in ``workdir``, or the PostgreSQL database named in ``url``."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    with postgres_database(url, keep) as created:
        yield created


# -- running and measuring the command -------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Phase:
    name: str
    files: int
    run: Run
    results: list[dict]

    @property
    def rate(self) -> float:
        return self.files / self.run.seconds

    def statuses(self) -> Counter:
        return Counter(result["status"] for result in self.results)


def run_measured(arguments: list[str], env: dict[str, str], log: Path) -> Run:
    """Run a command as a child process: its wall clock, and the peak RSS of it and its worker
    processes together (the larger of ``wait4``'s figure and the sampled sum of the process tree)."""
    stdout_path, stderr_path = log.with_suffix(".out"), log.with_suffix(".err")
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        actions = [(os.POSIX_SPAWN_DUP2, stdout.fileno(), 1), (os.POSIX_SPAWN_DUP2, stderr.fileno(), 2)]
        started = time.perf_counter()
        pid = os.posix_spawn(arguments[0], arguments, env, file_actions=actions)
        sampler = TreeMemorySampler(pid)
        sampler.start()
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
    peak_mb = max(usage.ru_maxrss * MAXRSS_BYTES / 2**20, sampler.peak_mb)
    return Run(seconds, peak_mb, os.waitstatus_to_exitcode(status), stdout_path.read_text(), stderr_path.read_text())


class TreeMemorySampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants from /proc, ten times a second (Linux)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(pid) for pid in _process_tree(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()


def _process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def manage(env: dict[str, str], *arguments: str) -> str:
    """A management command whose cost is not measured; its output."""
    result = subprocess.run([sys.executable, str(MANAGE), *arguments], env=env, capture_output=True, text=True)
    if result.returncode:
        raise BenchError(f"manage.py {arguments[0]} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def import_phase(name: str, path: Path, files: int, env: dict[str, str], logs: Path) -> Phase:
    """``import_seeds PATH --json`` measured; exit status 0 or 1 (files rejected) is a normal end."""
    print(f"... {name}: importing {files:,} file(s)", flush=True)
    arguments = [sys.executable, str(MANAGE), "import_seeds", str(path), "--json"]
    run = run_measured(arguments, env, logs / re.sub(r"\W+", "_", name))
    if run.exit_code not in (0, 1):
        raise BenchError(f"{name}: import_seeds crashed with exit status {run.exit_code}:\n{run.stderr[-3000:]}")
    try:
        results = json.loads(run.stdout)
    except json.JSONDecodeError as error:
        raise BenchError(f"{name}: import_seeds printed no JSON report ({error}):\n{run.stderr[-3000:]}") from None
    return Phase(name, files, run, results)


# -- checking and reporting ---------------------------------------------------------------------

COUNT_QUERY = """
import json
from newsroom.models import Article, RawDocument
print(json.dumps({
    "articles": Article.objects.count(),
    "imported": RawDocument.objects.exclude(status=RawDocument.Status.REJECTED).count(),
}))
"""


def count_problems(huge: Phase, first: Phase, again: Phase, database_counts: dict, corpus: Corpus) -> list[str]:
    """What differs from: each good file one new story, each bad one rejected, the re-import changing nothing."""
    expected = {
        huge.name: Counter(created=1),
        first.name: Counter(created=corpus.good - 1, unchanged=1, rejected=corpus.bad),
        again.name: Counter(unchanged=corpus.good, rejected=corpus.bad),
    }
    problems = [
        f"{phase.name}: statuses {dict(phase.statuses())}, expected {dict(expected[phase.name])}"
        for phase in (huge, first, again)
        if phase.statuses() != expected[phase.name]
    ]
    stories = {result["article"] for result in again.results if result["status"] == "unchanged"}
    if len(stories) != corpus.good:
        problems.append(f"{corpus.good:,} good files point at {len(stories):,} distinct stories")
    for key, count in database_counts.items():
        if count != corpus.good:
            problems.append(f"database: {count:,} {key} rows, expected {corpus.good:,}")
    return problems


def print_table(phases: list[Phase]) -> None:
    print(f"\n{'phase':<22}{'files':>8}{'seconds':>10}{'files/s':>10}{'peak RSS MB':>13}")
    for phase in phases:
        run = phase.run
        print(f"{phase.name:<22}{phase.files:>8,}{run.seconds:>10.2f}{phase.rate:>10,.1f}{run.peak_mb:>13.1f}")


def print_targets(huge: Phase, first: Phase, again: Phase, backend: str) -> None:
    limit = FIRST_IMPORT_SECONDS_PER_10K * first.files / 10_000
    peak = max(phase.run.peak_mb for phase in (huge, first, again))
    targets = [
        (
            f"first import under {FIRST_IMPORT_SECONDS_PER_10K:.0f} s per 10,000 files on SQLite "
            f"({limit:.1f} s for {first.files:,}; this run: {backend})",
            first.run.seconds <= limit,
            f"{first.run.seconds:.1f} s",
        ),
        (
            f"re-import of unchanged files at {REIMPORT_FILES_PER_SECOND:,.0f} files/s or more",
            again.rate >= REIMPORT_FILES_PER_SECOND,
            f"{again.rate:,.0f} files/s",
        ),
        (f"peak memory under {PEAK_MEMORY_MB:.0f} MB in every phase", peak < PEAK_MEMORY_MB, f"{peak:.1f} MB"),
    ]
    print(
        f"\nThe {HUGE_LINE_CHARS:,}-character line, imported alone: {huge.run.seconds:.2f} s (process start included)"
    )
    print("\nTargets:")
    for label, met, measured in targets:
        print(f"  {'met    ' if met else 'NOT met'}  {label}: {measured}")


def benchmark(files: int, database_url: str | None, workdir: Path, keep: bool) -> int:
    print(f"... generating {files:,} files in {workdir / 'stories'}", flush=True)
    corpus = write_corpus(workdir / "stories", files)
    with database(database_url, workdir, keep) as url:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
        print(f"... migrating {url}", flush=True)
        manage(env, "migrate", "--noinput")
        huge = import_phase(f"{HUGE_LINE_CHARS:,}-char line", corpus.huge, 1, env, workdir)
        first = import_phase("first import", corpus.folder, corpus.files, env, workdir)
        again = import_phase("re-import", corpus.folder, corpus.files, env, workdir)
        database_counts = json.loads(manage(env, "shell", "--no-imports", "-c", COUNT_QUERY))
    backend = "SQLite" if database_url is None else "PostgreSQL"
    print(f"\nImport benchmark on {backend}: {corpus.files:,} files, {corpus.bad} of them bad")
    print_table([huge, first, again])
    print_targets(huge, first, again, backend)
    problems = count_problems(huge, first, again, database_counts, corpus)
    for problem in problems:
        print(f"WRONG COUNT: {problem}")
    if not problems:
        print(
            f"\nCounts: {corpus.good:,} good files, one story each; {corpus.bad} rejected; re-import changed nothing."
        )
    return 1 if problems else 0


def at_least_ten(value: str) -> int:
    number = int(value)
    if number < 10:
        raise argparse.ArgumentTypeError("at least 10 files (room for every kind of bad file)")
    return number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=at_least_ten, default=10_000, help="How many files (default 10,000).")
    parser.add_argument("--database-url", help="postgres://… to run on PostgreSQL (default: SQLite in a temp dir).")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files and the database.")
    options = parser.parse_args()
    return in_workdir(
        "import_bench_",
        options.keep,
        lambda workdir: benchmark(options.files, options.database_url, workdir, options.keep),
    )


def in_workdir(prefix: str, keep: bool, run: Callable[[Path], int]) -> int:
    """``run(workdir)`` in a new temporary folder: its exit status, or 1 after printing a ``BenchError``; the
    total run time; the folder removed unless ``keep``."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    started = time.perf_counter()
    try:
        return run(workdir)
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        print(f"\nTotal run time: {time.perf_counter() - started:.0f} s")
        if keep:
            print(f"Kept the files, the database and the logs: {workdir}")
        else:
            shutil.rmtree(workdir)


if __name__ == "__main__":
    sys.exit(main())
