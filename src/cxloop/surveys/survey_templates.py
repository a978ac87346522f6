"""Ready-made surveys (NPS, CSAT after support, CES after checkout, post-purchase).

Each carries every text in English, Vietnamese, Thai and Lithuanian, so a new survey can be
published at once in any of those languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cxloop.surveys.schemas import SurveyCreate

TEMPLATE_LANGUAGES = ("en", "vi", "th", "lt")


def _t(en: str, vi: str, th: str, lt: str) -> dict[str, str]:
    return dict(zip(TEMPLATE_LANGUAGES, (en, vi, th, lt), strict=True))


def _question(key: str, kind: str, prompt: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "kind": kind,
        "texts": {lang: {"prompt": text} for lang, text in prompt.items()},
        **extra,
    }


def _options(**labels: dict[str, str]) -> list[dict[str, Any]]:
    return [{"key": key, "texts": texts} for key, texts in labels.items()]


@dataclass(frozen=True)
class SurveyTemplate:
    key: str
    name: str
    description: str
    title: dict[str, str]
    intro: dict[str, str]
    thanks: dict[str, str]
    questions: tuple[dict[str, Any], ...]

    def create(
        self,
        name: str,
        *,
        default_language: str,
        languages: list[str],
        touchpoint_id: str | None = None,
        publish: bool = False,
        closes_at: datetime | None = None,
    ) -> SurveyCreate:
        """A survey definition in the chosen languages (validated like any API request)."""
        chosen = list(dict.fromkeys([default_language, *languages]))
        questions = []
        for q in self.questions:
            question = {**q, "texts": {k: v for k, v in q["texts"].items() if k in chosen}}
            if "options" in q:
                question["options"] = [
                    {"key": o["key"], "texts": {k: v for k, v in o["texts"].items() if k in chosen}}
                    for o in q["options"]
                ]
            questions.append(question)
        texts = {
            lang: {
                "title": self.title[lang],
                "intro": self.intro[lang],
                "thanks": self.thanks[lang],
            }
            for lang in chosen
            if lang in self.title
        }
        return SurveyCreate.model_validate(
            {
                "name": name,
                "touchpoint_id": touchpoint_id,
                "default_language": default_language,
                "languages": chosen,
                "texts": texts,
                "questions": questions,
                "publish": publish,
                "closes_at": closes_at,
            }
        )


_COMMENT_ANYTHING = _t(
    "Anything else you would like to tell us?",
    "Bạn còn điều gì muốn chia sẻ với chúng tôi không?",
    "มีอะไรอื่นที่อยากบอกเราไหม",
    "Ar norėtumėte dar ką nors mums pasakyti?",
)

NPS = SurveyTemplate(
    key="nps",
    name="NPS with a reason",
    description="How likely to recommend (0-10) and the main reason, in the customer's words.",
    title=_t(
        "Tell us how we did",
        "Hãy cho chúng tôi biết trải nghiệm của bạn",
        "บอกเราว่าเราทำได้ดีแค่ไหน",
        "Papasakokite, kaip mums sekėsi",
    ),
    intro=_t(
        "It takes less than a minute.",
        "Chỉ mất chưa đến một phút.",
        "ใช้เวลาไม่ถึงหนึ่งนาที",
        "Tai užtruks mažiau nei minutę.",
    ),
    thanks=_t(
        "Thank you! Your feedback helps us improve.",
        "Cảm ơn bạn! Góp ý của bạn giúp chúng tôi làm tốt hơn.",
        "ขอบคุณ! ความคิดเห็นของคุณช่วยให้เราพัฒนาขึ้น",
        "Ačiū! Jūsų atsiliepimas padeda mums tobulėti.",
    ),
    questions=(
        _question(
            "nps",
            "nps",
            _t(
                "How likely are you to recommend us to a friend or colleague?",
                "Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè hoặc đồng nghiệp không?",
                "คุณมีแนวโน้มจะแนะนำเราให้เพื่อนหรือเพื่อนร่วมงานมากน้อยเพียงใด",
                "Kaip tikėtina, kad rekomenduotumėte mus draugui ar kolegai?",
            ),
            required=True,
        ),
        _question(
            "reason",
            "open_text",
            _t(
                "What is the main reason for your score?",
                "Lý do chính cho điểm số của bạn là gì?",
                "เหตุผลหลักที่คุณให้คะแนนนี้คืออะไร",
                "Kokia pagrindinė jūsų įvertinimo priežastis?",
            ),
        ),
    ),
)

CSAT_SUPPORT = SurveyTemplate(
    key="csat_support",
    name="CSAT after support",
    description="Satisfaction (1-5) with a support contact, and what could be better.",
    title=_t(
        "How was your support experience?",
        "Trải nghiệm hỗ trợ của bạn thế nào?",
        "ประสบการณ์การรับความช่วยเหลือของคุณเป็นอย่างไร",
        "Kaip vertinate mūsų pagalbą?",
    ),
    intro=_t(
        "You recently contacted our support team.",
        "Bạn vừa liên hệ với đội ngũ hỗ trợ của chúng tôi.",
        "คุณเพิ่งติดต่อทีมช่วยเหลือของเรา",
        "Neseniai kreipėtės į mūsų pagalbos komandą.",
    ),
    thanks=_t(
        "Thank you for helping us improve our support.",
        "Cảm ơn bạn đã giúp chúng tôi cải thiện dịch vụ hỗ trợ.",
        "ขอบคุณที่ช่วยให้เราปรับปรุงบริการช่วยเหลือ",
        "Ačiū, kad padedate mums gerinti pagalbą.",
    ),
    questions=(
        _question(
            "csat",
            "csat",
            _t(
                "How satisfied are you with the help you received?",
                "Bạn hài lòng thế nào với sự hỗ trợ bạn nhận được?",
                "คุณพอใจกับความช่วยเหลือที่ได้รับมากน้อยเพียงใด",
                "Kiek esate patenkinti gauta pagalba?",
            ),
            required=True,
        ),
        _question(
            "better",
            "open_text",
            _t(
                "What could we have done better?",
                "Chúng tôi có thể làm gì tốt hơn?",
                "เราควรปรับปรุงอะไรให้ดีขึ้น",
                "Ką galėjome padaryti geriau?",
            ),
        ),
    ),
)

CES_CHECKOUT = SurveyTemplate(
    key="ces_checkout",
    name="CES after checkout",
    description="Customer effort (1-7 agreement) right after checkout, and what got in the way.",
    title=_t(
        "How easy was your checkout?",
        "Thanh toán có dễ dàng không?",
        "การชำระเงินง่ายแค่ไหน",
        "Ar buvo lengva apmokėti?",
    ),
    intro=_t(
        "One quick question about your order.",
        "Một câu hỏi nhanh về đơn hàng của bạn.",
        "คำถามสั้น ๆ เกี่ยวกับคำสั่งซื้อของคุณ",
        "Vienas trumpas klausimas apie jūsų užsakymą.",
    ),
    thanks=_t(
        "Thank you! We read every answer.",
        "Cảm ơn bạn! Chúng tôi đọc mọi câu trả lời.",
        "ขอบคุณ! เราอ่านทุกคำตอบ",
        "Ačiū! Perskaitome kiekvieną atsakymą.",
    ),
    questions=(
        _question(
            "ces",
            "ces",
            _t(
                "The checkout made it easy for me to complete my purchase.",
                "Quy trình thanh toán giúp tôi hoàn tất việc mua hàng một cách dễ dàng.",
                "ขั้นตอนการชำระเงินทำให้ฉันซื้อสินค้าได้อย่างง่ายดาย",
                "Apmokėjimo procesas leido lengvai užbaigti pirkimą.",
            ),
            required=True,
            scale_min=1,
            scale_max=7,
            direction="agreement",
        ),
        _question(
            "obstacle",
            "open_text",
            _t(
                "What, if anything, made it harder than it should be?",
                "Điều gì (nếu có) khiến việc này khó hơn mức cần thiết?",
                "มีอะไรที่ทำให้ยากกว่าที่ควรจะเป็นหรือไม่",
                "Kas, jei kas nors, apsunkino šį procesą?",
            ),
        ),
    ),
)

POST_PURCHASE = SurveyTemplate(
    key="post_purchase",
    name="Post-purchase",
    description="Satisfaction with the purchase, how they found you, what they liked, a comment.",
    title=_t(
        "Your recent purchase",
        "Đơn hàng gần đây của bạn",
        "การซื้อล่าสุดของคุณ",
        "Jūsų neseniai atliktas pirkimas",
    ),
    intro=_t(
        "Help us improve with a few short questions.",
        "Hãy giúp chúng tôi cải thiện bằng vài câu hỏi ngắn.",
        "ช่วยเราพัฒนาด้วยคำถามสั้น ๆ ไม่กี่ข้อ",
        "Padėkite mums tobulėti atsakydami į kelis trumpus klausimus.",
    ),
    thanks=_t(
        "Thank you for shopping with us!",
        "Cảm ơn bạn đã mua sắm cùng chúng tôi!",
        "ขอบคุณที่ซื้อสินค้ากับเรา!",
        "Ačiū, kad apsiperkate pas mus!",
    ),
    questions=(
        _question(
            "csat",
            "csat",
            _t(
                "How satisfied are you with your purchase?",
                "Bạn hài lòng thế nào với sản phẩm đã mua?",
                "คุณพอใจกับสินค้าที่ซื้อมากน้อยเพียงใด",
                "Kiek esate patenkinti pirkiniu?",
            ),
            required=True,
        ),
        _question(
            "found_us",
            "single_choice",
            _t(
                "How did you find us?",
                "Bạn biết đến chúng tôi qua đâu?",
                "คุณรู้จักเราจากที่ใด",
                "Kaip mus radote?",
            ),
            options=_options(
                search=_t("Search engine", "Công cụ tìm kiếm", "เครื่องมือค้นหา", "Paieškos sistema"),
                friend=_t("A friend", "Bạn bè giới thiệu", "เพื่อนแนะนำ", "Draugas rekomendavo"),
                social=_t("Social media", "Mạng xã hội", "โซเชียลมีเดีย", "Socialiniai tinklai"),
                store=_t("In a store", "Tại cửa hàng", "ที่ร้านค้า", "Parduotuvėje"),
                other=_t("Other", "Khác", "อื่น ๆ", "Kita"),
            ),
        ),
        _question(
            "liked",
            "multiple_choice",
            _t("What did you like?", "Bạn thích điều gì?", "คุณชอบอะไรบ้าง", "Kas jums patiko?"),
            options=_options(
                price=_t("Price", "Giá cả", "ราคา", "Kaina"),
                quality=_t("Quality", "Chất lượng", "คุณภาพ", "Kokybė"),
                delivery=_t("Delivery", "Giao hàng", "การจัดส่ง", "Pristatymas"),
                service=_t("Service", "Dịch vụ", "การบริการ", "Aptarnavimas"),
            ),
        ),
        _question("comment", "open_text", _COMMENT_ANYTHING),
    ),
)

TEMPLATES: dict[str, SurveyTemplate] = {
    t.key: t for t in (NPS, CSAT_SUPPORT, CES_CHECKOUT, POST_PURCHASE)
}
