"""What the demo workspace contains: journeys, touchpoints with their quality over the year,
and the live surveys with texts in English, Vietnamese, Thai and Lithuanian."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.surveys.schemas import ChoiceOption, QuestionIn, QuestionText, SurveyCreate, SurveyText

LANGUAGES = ("en", "vi", "th", "lt")


@dataclass(frozen=True)
class TouchpointPlan:
    """A touchpoint and how customers feel about it.

    ``start``/``end``: mean NPS answer (0-10) at the start and end of the year; ``volume``:
    relative share of responses; ``survey``: which survey asks there; ``topic``: the comment
    topic; ``peak_penalty``: how much worse it gets in the November-December peak.
    """

    journey: str
    stage: int
    name: str
    key: str
    channel: str
    start: float
    end: float
    volume: float
    survey: str
    topic: str
    peak_penalty: float = 0.0


JOURNEYS = (
    ("Online purchase", "purchase", "From browsing to delivery and returns."),
    ("Support", "five_es", "How customers find help and get their problem solved."),
)

TOUCHPOINTS = (
    TouchpointPlan(
        "Online purchase",
        0,
        "Product pages",
        "product-pages",
        "web",
        8.0,
        8.3,
        0.6,
        "nps",
        "website",
    ),
    TouchpointPlan(
        "Online purchase", 0, "Newsletter", "newsletter", "email", 7.4, 7.5, 0.4, "nps", "general"
    ),
    TouchpointPlan(
        "Online purchase", 1, "Checkout", "checkout-web", "web", 7.0, 8.6, 1.4, "ces", "checkout"
    ),
    TouchpointPlan(
        "Online purchase", 1, "In-app checkout", "checkout-app", "app", 6.6, 8.9, 1.0, "ces", "app"
    ),
    TouchpointPlan(
        "Online purchase",
        1,
        "Store checkout",
        "checkout-store",
        "store",
        8.6,
        8.8,
        1.0,
        "nps",
        "store",
    ),
    TouchpointPlan(
        "Online purchase", 2, "Delivery", "delivery", "email", 6.4, 6.1, 1.5, "nps", "delivery", 1.0
    ),
    TouchpointPlan(
        "Online purchase", 2, "Returns", "returns", "store", 7.3, 7.9, 0.5, "ces", "store"
    ),
    TouchpointPlan(
        "Support", 0, "Help center", "help-center", "web", 7.1, 7.6, 0.5, "csat", "website"
    ),
    TouchpointPlan("Support", 1, "Live chat", "live-chat", "chat", 7.9, 8.9, 0.9, "csat", "chat"),
    TouchpointPlan(
        "Support",
        2,
        "Phone support",
        "phone-support",
        "phone",
        6.0,
        6.3,
        0.9,
        "csat",
        "support",
        0.6,
    ),
    TouchpointPlan(
        "Support",
        3,
        "Resolution email",
        "resolution-email",
        "email",
        7.2,
        7.8,
        0.5,
        "csat",
        "support",
    ),
    TouchpointPlan("Support", 4, "Loyalty app", "loyalty-app", "app", 8.4, 8.8, 0.5, "nps", "app"),
)
BAD_TOUCHPOINTS = ("Delivery", "Phone support")


def _q(texts: dict[str, tuple[str, str, str]]) -> dict[str, QuestionText]:
    return {lang: QuestionText(prompt=p, low=lo, high=hi) for lang, (p, lo, hi) in texts.items()}


def _texts(texts: dict[str, tuple[str, str, str]]) -> dict[str, SurveyText]:
    return {lang: SurveyText(title=t, intro=i, thanks=th) for lang, (t, i, th) in texts.items()}


# Attribute ratings (1-5) on the NPS survey: the inputs of the key driver analysis.
RATINGS = (
    ("rate_delivery", {"en": "Delivery", "vi": "Giao hàng", "th": "การจัดส่ง", "lt": "Pristatymas"}),
    ("rate_staff", {"en": "Staff", "vi": "Nhân viên", "th": "พนักงาน", "lt": "Darbuotojai"}),
    ("rate_price", {"en": "Price", "vi": "Giá cả", "th": "ราคา", "lt": "Kaina"}),
    (
        "rate_website",
        {
            "en": "Website and app",
            "vi": "Trang web và ứng dụng",
            "th": "เว็บไซต์และแอป",
            "lt": "Svetainė ir programėlė",
        },
    ),
)
RATING_PROMPT = {
    "en": "How would you rate: {}?",
    "vi": "Bạn đánh giá thế nào về: {}?",
    "th": "คุณให้คะแนนเรื่องนี้เท่าไร: {}",
    "lt": "Kaip įvertintumėte: {}?",
}
RATING_ENDS = {
    "en": ("Very poor", "Excellent"),
    "vi": ("Rất tệ", "Tuyệt vời"),
    "th": ("แย่มาก", "ดีเยี่ยม"),
    "lt": ("Labai blogai", "Puikiai"),
}


def rating_questions() -> list[QuestionIn]:
    return [
        QuestionIn(
            key=key,
            kind="rating",
            scale_min=1,
            scale_max=5,
            texts=_q(
                {
                    lang: (RATING_PROMPT[lang].format(names[lang]), *RATING_ENDS[lang])
                    for lang in RATING_PROMPT
                }
            ),
        )
        for key, names in RATINGS
    ]


COMMENT = QuestionIn(
    key="comment",
    kind="open_text",
    texts=_q(
        {
            "en": ("What is the main reason for your score?", "", ""),
            "vi": ("Lý do chính cho điểm số của bạn là gì?", "", ""),
            "th": ("เหตุผลหลักที่คุณให้คะแนนนี้คืออะไร", "", ""),
            "lt": ("Kokia pagrindinė jūsų įvertinimo priežastis?", "", ""),
        }
    ),
)
THANKS = {
    "en": "Thank you! Your feedback helps us improve.",
    "vi": "Cảm ơn bạn! Ý kiến của bạn giúp chúng tôi cải thiện.",
    "th": "ขอบคุณค่ะ ความคิดเห็นของคุณช่วยให้เราพัฒนาได้ดียิ่งขึ้น",
    "lt": "Ačiū! Jūsų atsiliepimas padeda mums tobulėti.",
}
REASONS = (
    ("price", {"en": "Price", "vi": "Giá cả", "th": "ราคา", "lt": "Kaina"}),
    (
        "quality",
        {
            "en": "Product quality",
            "vi": "Chất lượng sản phẩm",
            "th": "คุณภาพสินค้า",
            "lt": "Prekių kokybė",
        },
    ),
    ("delivery", {"en": "Delivery", "vi": "Giao hàng", "th": "การจัดส่ง", "lt": "Pristatymas"}),
    (
        "service",
        {
            "en": "Customer service",
            "vi": "Dịch vụ khách hàng",
            "th": "บริการลูกค้า",
            "lt": "Klientų aptarnavimas",
        },
    ),
    (
        "website",
        {
            "en": "Website or app",
            "vi": "Trang web hoặc ứng dụng",
            "th": "เว็บไซต์หรือแอป",
            "lt": "Svetainė ar programėlė",
        },
    ),
)


def nps_survey() -> SurveyCreate:
    return SurveyCreate(
        name="Customer NPS",
        default_language="en",
        languages=list(LANGUAGES),
        texts=_texts(
            {
                "en": (
                    "How are we doing?",
                    "Two quick questions about your recent experience.",
                    THANKS["en"],
                ),
                "vi": (
                    "Chúng tôi phục vụ bạn thế nào?",
                    "Hai câu hỏi ngắn về trải nghiệm gần đây của bạn.",
                    THANKS["vi"],
                ),
                "th": (
                    "เราให้บริการคุณเป็นอย่างไรบ้าง",
                    "คำถามสั้น ๆ เกี่ยวกับประสบการณ์ล่าสุดของคุณ",
                    THANKS["th"],
                ),
                "lt": ("Kaip mums sekasi?", "Du trumpi klausimai apie jūsų patirtį.", THANKS["lt"]),
            }
        ),
        questions=[
            QuestionIn(
                key="nps",
                kind="nps",
                required=True,
                texts=_q(
                    {
                        "en": (
                            "How likely are you to recommend Demo Retail to a friend or colleague?",
                            "Not at all likely",
                            "Extremely likely",
                        ),
                        "vi": (
                            "Bạn có sẵn lòng giới thiệu Demo Retail cho bạn bè hoặc đồng nghiệp "
                            "không?",
                            "Hoàn toàn không",
                            "Chắc chắn có",
                        ),
                        "th": (
                            "คุณมีแนวโน้มที่จะแนะนำ Demo Retail ให้เพื่อนหรือเพื่อนร่วมงานมากน้อยเพียงใด",
                            "ไม่แนะนำเลย",
                            "แนะนำอย่างยิ่ง",
                        ),
                        "lt": (
                            "Kaip tikėtina, kad rekomenduotumėte Demo Retail draugui ar kolegai?",
                            "Visiškai netikėtina",
                            "Labai tikėtina",
                        ),
                    }
                ),
            ),
            QuestionIn(
                key="reason",
                kind="single_choice",
                options=[ChoiceOption(key=k, texts=t) for k, t in REASONS],
                texts=_q(
                    {
                        "en": ("What mattered most?", "", ""),
                        "vi": ("Điều gì quan trọng nhất với bạn?", "", ""),
                        "th": ("อะไรสำคัญที่สุดสำหรับคุณ", "", ""),
                        "lt": ("Kas jums buvo svarbiausia?", "", ""),
                    }
                ),
            ),
            *rating_questions(),
            COMMENT,
        ],
        publish=True,
    )


def csat_survey() -> SurveyCreate:
    return SurveyCreate(
        name="Support satisfaction",
        default_language="en",
        languages=list(LANGUAGES),
        texts=_texts(
            {
                "en": ("How did we do?", "Tell us about the help you received.", THANKS["en"]),
                "vi": (
                    "Chúng tôi hỗ trợ bạn thế nào?",
                    "Hãy cho chúng tôi biết về sự hỗ trợ bạn nhận được.",
                    THANKS["vi"],
                ),
                "th": ("เราช่วยเหลือคุณได้ดีแค่ไหน", "บอกเราเกี่ยวกับความช่วยเหลือที่คุณได้รับ", THANKS["th"]),
                "lt": ("Kaip mums sekėsi?", "Papasakokite apie gautą pagalbą.", THANKS["lt"]),
            }
        ),
        questions=[
            QuestionIn(
                key="csat",
                kind="csat",
                required=True,
                texts=_q(
                    {
                        "en": (
                            "How satisfied are you with the help you received?",
                            "Very dissatisfied",
                            "Very satisfied",
                        ),
                        "vi": (
                            "Bạn hài lòng thế nào với sự hỗ trợ bạn nhận được?",
                            "Rất không hài lòng",
                            "Rất hài lòng",
                        ),
                        "th": ("คุณพึงพอใจกับความช่วยเหลือที่ได้รับมากน้อยเพียงใด", "ไม่พอใจมาก", "พอใจมาก"),
                        "lt": (
                            "Kiek esate patenkinti gauta pagalba?",
                            "Visiškai nepatenkintas",
                            "Labai patenkintas",
                        ),
                    }
                ),
            ),
            COMMENT,
        ],
        publish=True,
    )


def ces_survey() -> SurveyCreate:
    return SurveyCreate(
        name="Customer effort",
        default_language="en",
        languages=list(LANGUAGES),
        texts=_texts(
            {
                "en": ("Was it easy?", "One question about your purchase or return.", THANKS["en"]),
                "vi": (
                    "Có dễ dàng không?",
                    "Một câu hỏi về lần mua hàng hoặc đổi trả của bạn.",
                    THANKS["vi"],
                ),
                "th": ("ง่ายไหม", "คำถามเดียวเกี่ยวกับการซื้อหรือการคืนสินค้าของคุณ", THANKS["th"]),
                "lt": (
                    "Ar buvo paprasta?",
                    "Vienas klausimas apie jūsų pirkimą ar grąžinimą.",
                    THANKS["lt"],
                ),
            }
        ),
        questions=[
            QuestionIn(
                key="ces",
                kind="ces",
                required=True,
                scale_min=1,
                scale_max=7,
                direction="agreement",
                texts=_q(
                    {
                        "en": (
                            "Demo Retail made it easy for me to get what I needed.",
                            "Strongly disagree",
                            "Strongly agree",
                        ),
                        "vi": (
                            "Demo Retail giúp tôi dễ dàng có được điều mình cần.",
                            "Hoàn toàn không đồng ý",
                            "Hoàn toàn đồng ý",
                        ),
                        "th": (
                            "Demo Retail ทำให้ฉันได้สิ่งที่ต้องการได้อย่างง่ายดาย",
                            "ไม่เห็นด้วยอย่างยิ่ง",
                            "เห็นด้วยอย่างยิ่ง",
                        ),
                        "lt": (
                            "Demo Retail leido man lengvai gauti tai, ko reikėjo.",
                            "Visiškai nesutinku",
                            "Visiškai sutinku",
                        ),
                    }
                ),
            ),
            COMMENT,
        ],
        publish=True,
    )


SURVEYS = {"nps": nps_survey, "csat": csat_survey, "ces": ces_survey}
