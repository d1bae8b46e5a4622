"""Synthetic stories for the benchmarks: headline, lead and body in one of the content languages.

Each language has a vocabulary of words and set phrases, most frequent first,
drawn with Zipf-like weights (function words often, names and programmes less
often), a few rare words that about one story in 300 of that language
contains, and the way its script is written: with spaces (Vietnamese, Hindi,
Korean, Russian, French, English) or without (Japanese, Chinese, Lao).
Nothing here touches Django: a story is plain text.
"""

import random
from dataclasses import dataclass
from functools import cached_property


def words(listing: str) -> tuple[str, ...]:
    """``"a | b c | d"`` -> ``("a", "b c", "d")``: vocabularies are written as text, not one item a line."""
    return tuple(word for word in (part.strip() for part in listing.split("|")) if word)


@dataclass(frozen=True)
class Vocabulary:
    """One language: its words most frequent first, the rare ones, and how sentences are written."""

    code: str
    words: tuple[str, ...]
    rare: tuple[str, ...]
    joiner: str = " "
    full_stop: str = "."
    comma: str = ","

    @cached_property
    def cumulative_weights(self) -> list[float]:
        total, cumulative = 0.0, []
        for rank in range(len(self.words)):
            total += 1 / (rank + 2)
            cumulative.append(total)
        return cumulative

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative_weights, k=count)

    def length(self, phrases: list[str]) -> int:
        """How many words: spaced scripts count words, unspaced ones count vocabulary items."""
        return len(phrases) if not self.joiner else sum(phrase.count(" ") + 1 for phrase in phrases)


VOCABULARIES = (
    Vocabulary(
        code="vi",
        words=words(
            """
            của | và | các | trong | tỉnh | đã | được | với | cho | năm | công nghiệp | Bắc Ninh | những |
            doanh nghiệp | khuyến công | sản phẩm | hỗ trợ | phát triển | Sở Công Thương | hợp tác | đề án |
            kinh phí | tỷ đồng | tháng | đạt | tăng | so với cùng kỳ | OCOP | khu công nghiệp | đầu tư |
            nông thôn | thương mại | cửa khẩu | biên giới | Lạng Sơn | Quảng Tây | Trung Quốc | Lào |
            người lao động | thị trường | xuất khẩu | hội nghị | lãnh đạo | Ủy ban nhân dân | chương trình |
            quốc gia | kế hoạch | triển khai | thực hiện | hiệu quả | chuyển đổi số | máy móc | thiết bị |
            ưu tiên | mở rộng | nâng cao | chất lượng | đổi mới | sáng tạo | làng nghề | thủ công mỹ nghệ |
            Đà Nẵng | Hà Nội | Yên Phong | Quế Võ | đường giao thông | cơ sở | ưu đãi | vốn | dự án FDI |
            công nghiệp hỗ trợ | đoàn công tác | Xaysomboun | mô hình trình diễn | kỹ thuật | tập huấn | đào tạo |
            nghề | hàng hóa | thông quan | logistics | năng lượng | điện tử | linh kiện | dệt may | gỗ | đồ gỗ
            """
        ),
        rare=words(
            """
            gốm Phù Lãng | tranh Đông Hồ | Mường Khương | đúc đồng Đại Bái
            """
        ),
    ),
    Vocabulary(
        code="en",
        words=words(
            """
            the | of | and | in | to | a | for | with | on | province | industrial | Bac Ninh | projects |
            industrial promotion | enterprises | products | support | development | trade |
            the Department of Industry and Trade | cooperation | budget | billion VND | months | year | growth |
            over the same period | OCOP | industrial parks | investment | rural | border gates | Lang Son |
            Guangxi | China | Laos | workers | market | exports | conference | leaders | People's Committee |
            programme | national | plan | implemented | effective | digital transformation | machinery |
            equipment | priority | expand | improve | quality | innovation | craft villages | handicrafts |
            Da Nang | Hanoi | Yen Phong | Que Vo | roads | establishments | incentives | capital | FDI projects |
            supporting industry | delegation | Xaisomboun | demonstration models | technical | training courses |
            vocational | goods | customs clearance | logistics | energy | electronics | components | textiles |
            wood | furniture | smart border gate | agreed | signed | memorandum
            """
        ),
        rare=words(
            """
            lacquerware | bronze casting | Phu Lang pottery | Dong Ho paintings
            """
        ),
    ),
    Vocabulary(
        code="hi",
        words=words(
            """
            के | में | और | की | है | से | को | ने | प्रांत | बाक निन्ह | उद्योग | व्यापार | विभाग | औद्योगिक |
            संवर्धन | परियोजनाओं | सहयोग | विकास | उत्पाद | निवेश | सीमा द्वार | वियतनाम | लाओस | चीन | ग्रामीण |
            कार्यक्रम | राष्ट्रीय | बजट | अरब डोंग | प्रतिनिधिमंडल | बैठक | सम्मेलन | औद्योगिक पार्क |
            डिजिटल परिवर्तन | प्रशिक्षण | उद्यमों | निर्यात | बाज़ार | गुणवत्ता | मशीनरी | उपकरण | वर्ष | महीनों |
            प्रतिशत | वृद्धि | लैंग सोन | गुआंग्शी | हस्तशिल्प | गाँवों | जन समिति | सहायक उद्योग | योजना |
            लक्ष्य | समर्थन | कार्यान्वयन | दा नांग | हनोई | ओसीओपी | समझौता | हस्ताक्षर | ऊर्जा | इलेक्ट्रॉनिक्स |
            वस्त्र | लकड़ी
            """
        ),
        rare=words(
            """
            लाख के बर्तन | कांस्य ढलाई | मिट्टी के बर्तन
            """
        ),
        full_stop="।",
    ),
    Vocabulary(
        code="ja",
        words=words(
            """
            の | は | を | に | が | と | で | した | バクニン省 | 工業 | 振興 | 商工局 | プロジェクト | 企業 |
            製品 | 支援 | 発展 | 協力 | 貿易 | 予算 | 億ドン | 年 | 月 | 増加 | 一村一品 | 工業団地 | 投資 | 農村 |
            国境ゲート | ランソン省 | 広西 | 中国 | ラオス | ベトナム | 労働者 | 市場 | 輸出 | 会議 | 指導者 |
            人民委員会 | プログラム | 国家 | 計画 | 実施 | 効果 | デジタル変革 | 機械 | 設備 | 優先 | 拡大 | 品質 |
            革新 | 伝統工芸村 | 手工芸品 | ダナン | ハノイ | 裾野産業 | 代表団 | 研修 | 技術 | 物流 | エネルギー |
            電子部品 | 繊維 | 木材 | 家具 | 覚書 | 署名 | 省
            """
        ),
        rare=words(
            """
            螺鈿細工 | 青銅鋳造 | 陶器村
            """
        ),
        joiner="",
        full_stop="。",
        comma="、",
    ),
    Vocabulary(
        code="zh-hans",
        words=words(
            """
            的 | 了 | 在 | 和 | 是 | 北宁省 | 工业 | 促进 | 工商厅 | 项目 | 企业 | 产品 | 支持 | 发展 | 合作 |
            贸易 | 预算 | 亿越南盾 | 年 | 月 | 增长 | 一村一品 | 工业园区 | 投资 | 农村 | 边境口岸 | 谅山省 |
            广西 | 中国 | 老挝 | 越南 | 工人 | 市场 | 出口 | 会议 | 领导 | 人民委员会 | 计划 | 国家 | 实施 | 效果 |
            数字化转型 | 机械 | 设备 | 优先 | 扩大 | 质量 | 创新 | 传统手工艺村 | 手工艺品 | 岘港 | 河内 |
            配套产业 | 代表团 | 培训 | 技术 | 物流 | 能源 | 电子元件 | 纺织 | 木材 | 家具 | 备忘录 | 签署 | 省
            """
        ),
        rare=words(
            """
            景泰蓝 | 青铜铸造 | 陶瓷村
            """
        ),
        joiner="",
        full_stop="。",
        comma="，",
    ),
    Vocabulary(
        code="ko",
        words=words(
            """
            의 | 및 | 에서 | 위해 | 박닌성 | 산업 | 진흥 | 상공국 | 프로젝트 | 기업 | 제품 | 지원 | 발전 | 협력 |
            무역 | 예산 | 억 동 | 년 | 월 | 증가 | OCOP | 산업 단지 | 투자 | 농촌 | 국경 관문 | 랑선성 | 광시 |
            중국 | 라오스 | 베트남 | 근로자 | 시장 | 수출 | 회의 | 지도자 | 인민위원회 | 프로그램 | 국가 | 계획 |
            실시 | 효과 | 디지털 전환 | 기계 | 설비 | 우선 | 확대 | 품질 | 혁신 | 전통 공예 마을 | 수공예품 |
            다낭 | 하노이 | 지원 산업 | 대표단 | 교육 | 기술 | 물류 | 에너지 | 전자 부품 | 섬유 | 목재 | 가구 |
            양해각서 | 서명
            """
        ),
        rare=words(
            """
            나전칠기 | 청동 주조 | 도자기 마을
            """
        ),
    ),
    Vocabulary(
        code="fr",
        words=words(
            """
            de | la | le | et | des | en | du | à | les | pour | province | Bac Ninh | promotion industrielle |
            projets | entreprises | produits | soutien | développement | coopération | commerce | budget |
            milliards de dongs | mois | année | hausse | OCOP | parcs industriels | investissements | rurale |
            postes frontaliers | Lang Son | Guangxi | Chine | Laos | travailleurs | marché | exportations |
            conférence | dirigeants | comité populaire | programme | national | plan | mise en œuvre | efficace |
            transformation numérique | machines | équipements | priorité | élargir | qualité | innovation |
            villages artisanaux | artisanat | Da Nang | Hanoï | industries de soutien | délégation | formation |
            technique | logistique | énergie | composants électroniques | textile | bois | meubles |
            protocole d'accord
            """
        ),
        rare=words(
            """
            laque | fonderie de bronze | poterie de Phu Lang
            """
        ),
    ),
    Vocabulary(
        code="ru",
        words=words(
            """
            и | в | на | с | по | для | провинции | Бакнинь | промышленности | содействия | проектов |
            департамент промышленности и торговли | предприятий | продукции | поддержки | развития |
            сотрудничества | торговли | бюджет | млрд донгов | месяцев | году | рост | OCOP |
            индустриальных парков | инвестиций | сельской | пограничных пунктов | Лангшон | Гуанси | Китая |
            Лаоса | Вьетнама | работников | рынка | экспорта | конференции | руководители | народного комитета |
            программы | национальной | плана | реализации | эффективно | цифровой трансформации | оборудования |
            приоритет | расширения | качества | инноваций | ремесленных деревень | Дананг | Ханой |
            вспомогательных отраслей | делегация | обучения | технических | логистики | энергетики |
            электронных компонентов | текстиля | древесины | мебели | меморандум | подписали
            """
        ),
        rare=words(
            """
            лаковой миниатюры | бронзового литья | гончарной деревни
            """
        ),
    ),
    Vocabulary(
        code="lo",
        words=words(
            """
            ຂອງ | ແລະ | ໃນ | ໄດ້ | ກັບ | ແຂວງ | ຂະແໜງ | ອຸດສາຫະກຳ | ການຄ້າ | ການຮ່ວມມື | ພັດທະນາ | ວິສາຫະກິດ |
            ຜະລິດຕະພັນ | ການລົງທຶນ | ດ່ານຊາຍແດນ | ຫວຽດນາມ | ລາວ | ຈີນ | ໄຊສົມບູນ | ບັກນິງ | ຊົນນະບົດ | ແຜນງານ |
            ແຫ່ງຊາດ | ງົບປະມານ | ຄະນະຜູ້ແທນ | ກອງປະຊຸມ | ເຂດອຸດສາຫະກຳ | ການຫັນເປັນດີຈີຕອນ | ການສົ່ງອອກ | ຕະຫຼາດ |
            ຄຸນນະພາບ | ອຸປະກອນ | ປີ | ເດືອນ | ເພີ່ມຂຶ້ນ | ພາກພື້ນ | ຫັດຖະກຳ | ບ້ານ | ອົງການປົກຄອງ | ສະໜັບສະໜູນ |
            ຈັດຕັ້ງປະຕິບັດ | ແຜນການ | ເປົ້າໝາຍ | ສົ່ງເສີມ | ກະຊວງ | ອຸດສາຫະກຳແລະການຄ້າ | ບົດບັນທຶກ | ລົງນາມ
            """
        ),
        rare=words(
            """
            ຜ້າໄໝມັດໝີ່ | ເຄື່ອງປັ້ນດິນເຜົາ | ຫລໍ່ທອງ
            """
        ),
        joiner="",
        comma=" ",
    ),
)
BY_CODE = {vocabulary.code: vocabulary for vocabulary in VOCABULARIES}
RARE_WORD_CHANCE = 1 / 300
MIN_WORDS, MAX_WORDS = 150, 400


@dataclass(frozen=True)
class Text:
    """One language version of a story."""

    title: str
    lead: str
    body: str


def _number(rng: random.Random) -> str:
    return str(rng.choice((rng.randint(2, 99), rng.randint(100, 9999), rng.randint(2015, 2026))))


def sentence(rng: random.Random, vocabulary: Vocabulary, items: int) -> tuple[str, int]:
    """``items`` items of the vocabulary, now and then a number or a clause break, capitalised, stopped; and
    its length in words."""
    parts = vocabulary.draw(rng, items)
    for _ in range(rng.randint(0, 2)):
        parts.insert(rng.randrange(len(parts) + 1), _number(rng))
    length = vocabulary.length(parts)
    if items > 8:
        cut = rng.randrange(3, items - 2)
        parts[cut] += vocabulary.comma.rstrip() if vocabulary.joiner else vocabulary.comma
    text = vocabulary.joiner.join(parts)
    return text[:1].upper() + text[1:] + vocabulary.full_stop, length


def text(rng: random.Random, code: str) -> Text:
    """A story in language ``code``: a headline, a lead of one or two sentences, and 150–400 words of body in
    paragraphs; one rare word in about one story in 300."""
    vocabulary = BY_CODE[code]
    title = sentence(rng, vocabulary, rng.randint(5, 9))[0].removesuffix(vocabulary.full_stop)
    lead = vocabulary.joiner.join(sentence(rng, vocabulary, rng.randint(10, 18))[0] for _ in range(rng.randint(1, 2)))
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    paragraphs: list[str] = []
    written = 0
    while written < target:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            made, length = sentence(rng, vocabulary, rng.randint(8, 18))
            sentences.append(made)
            written += length
            if written >= target:
                break
        paragraphs.append(vocabulary.joiner.join(sentences))
    if rng.random() < RARE_WORD_CHANCE * len(vocabulary.rare):
        where = rng.randrange(len(paragraphs))
        paragraphs[where] += vocabulary.joiner + rng.choice(vocabulary.rare) + vocabulary.full_stop
    return Text(title=title, lead=lead, body="\n\n".join(paragraphs))
