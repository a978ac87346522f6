"""The survey page's own words (buttons, defaults, errors) per language, and language choice.

Survey texts come from the survey definition; these are only the page chrome around them.
Missing keys in a language fall back to English.
"""

from __future__ import annotations

from collections.abc import Sequence

from cxloop.surveys.schemas import normalise_language

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})

LANGUAGE_NAMES = {
    "en": "English",
    "vi": "Tiếng Việt",
    "th": "ไทย",
    "lt": "Lietuvių",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ar": "العربية",
    "he": "עברית",
    "fa": "فارسی",
    "ur": "اردو",
}

CHROME: dict[str, dict[str, str]] = {
    "en": {
        "submit": "Submit",
        "next": "Next",
        "back": "Back",
        "page_of": "Page {page} of {pages}",
        "required": "required",
        "thanks_title": "Thank you!",
        "thanks_default": "Thank you for your feedback.",
        "nps_low": "Not at all likely",
        "nps_high": "Extremely likely",
        "csat_low": "Very dissatisfied",
        "csat_high": "Very satisfied",
        "agreement_low": "Strongly disagree",
        "agreement_high": "Strongly agree",
        "effort_low": "Very low effort",
        "effort_high": "Very high effort",
        "rating_low": "Poor",
        "rating_high": "Excellent",
        "select_all": "Select all that apply",
        "language": "Language",
        "error_summary": "Please check the answers marked below.",
        "error_required": "Please answer this question.",
        "error_scale": "Choose a number from {low} to {high}.",
        "error_choice": "Choose one of the options.",
        "error_too_long": "This answer is too long (at most {max} characters).",
        "error_invalid": "This answer is not valid.",
        "error_answer_one": "Please answer at least one question.",
        "expired_title": "This link has expired",
        "expired_text": "Ask the sender for a new survey link.",
        "invalid_title": "This link is not valid",
        "invalid_text": "Check that you copied the whole link.",
        "closed_title": "This survey is closed",
        "closed_text": "It no longer accepts answers. Thank you for your interest.",
        "not_open_title": "This survey is not open yet",
        "not_open_text": "Please come back later.",
    },
    "vi": {
        "submit": "Gửi",
        "next": "Tiếp",
        "back": "Quay lại",
        "page_of": "Trang {page}/{pages}",
        "required": "bắt buộc",
        "thanks_title": "Cảm ơn bạn!",
        "thanks_default": "Cảm ơn bạn đã góp ý.",
        "nps_low": "Hoàn toàn không",
        "nps_high": "Chắc chắn có",
        "csat_low": "Rất không hài lòng",
        "csat_high": "Rất hài lòng",
        "agreement_low": "Hoàn toàn không đồng ý",
        "agreement_high": "Hoàn toàn đồng ý",
        "effort_low": "Rất ít công sức",
        "effort_high": "Rất nhiều công sức",
        "rating_low": "Kém",
        "rating_high": "Xuất sắc",
        "select_all": "Chọn tất cả các ý phù hợp",
        "language": "Ngôn ngữ",
        "error_summary": "Vui lòng kiểm tra các câu trả lời được đánh dấu bên dưới.",
        "error_required": "Vui lòng trả lời câu hỏi này.",
        "error_scale": "Hãy chọn một số từ {low} đến {high}.",
        "error_choice": "Hãy chọn một trong các lựa chọn.",
        "error_too_long": "Câu trả lời quá dài (tối đa {max} ký tự).",
        "error_invalid": "Câu trả lời này không hợp lệ.",
        "error_answer_one": "Vui lòng trả lời ít nhất một câu hỏi.",
        "expired_title": "Liên kết này đã hết hạn",
        "expired_text": "Vui lòng yêu cầu người gửi cung cấp liên kết khảo sát mới.",
        "invalid_title": "Liên kết này không hợp lệ",
        "invalid_text": "Hãy kiểm tra xem bạn đã sao chép toàn bộ liên kết chưa.",
        "closed_title": "Khảo sát này đã đóng",
        "closed_text": "Khảo sát không còn nhận câu trả lời. Cảm ơn bạn đã quan tâm.",
        "not_open_title": "Khảo sát này chưa mở",
        "not_open_text": "Vui lòng quay lại sau.",
    },
    "th": {
        "submit": "ส่ง",
        "next": "ถัดไป",
        "back": "ย้อนกลับ",
        "page_of": "หน้า {page} จาก {pages}",
        "required": "จำเป็น",
        "thanks_title": "ขอบคุณ!",
        "thanks_default": "ขอบคุณสำหรับความคิดเห็นของคุณ",
        "nps_low": "ไม่น่าจะแนะนำเลย",
        "nps_high": "น่าจะแนะนำอย่างยิ่ง",
        "csat_low": "ไม่พอใจอย่างมาก",
        "csat_high": "พอใจอย่างมาก",
        "agreement_low": "ไม่เห็นด้วยอย่างยิ่ง",
        "agreement_high": "เห็นด้วยอย่างยิ่ง",
        "effort_low": "ใช้ความพยายามน้อยมาก",
        "effort_high": "ใช้ความพยายามมาก",
        "rating_low": "แย่",
        "rating_high": "ยอดเยี่ยม",
        "select_all": "เลือกได้มากกว่าหนึ่งข้อ",
        "language": "ภาษา",
        "error_summary": "โปรดตรวจสอบคำตอบที่ทำเครื่องหมายไว้ด้านล่าง",
        "error_required": "โปรดตอบคำถามนี้",
        "error_scale": "โปรดเลือกตัวเลขตั้งแต่ {low} ถึง {high}",
        "error_choice": "โปรดเลือกหนึ่งในตัวเลือก",
        "error_too_long": "คำตอบยาวเกินไป (ไม่เกิน {max} ตัวอักษร)",
        "error_invalid": "คำตอบนี้ไม่ถูกต้อง",
        "error_answer_one": "โปรดตอบอย่างน้อยหนึ่งคำถาม",
        "expired_title": "ลิงก์นี้หมดอายุแล้ว",
        "expired_text": "โปรดขอลิงก์แบบสำรวจใหม่จากผู้ส่ง",
        "invalid_title": "ลิงก์นี้ไม่ถูกต้อง",
        "invalid_text": "โปรดตรวจสอบว่าคุณคัดลอกลิงก์มาครบถ้วน",
        "closed_title": "แบบสำรวจนี้ปิดแล้ว",
        "closed_text": "แบบสำรวจนี้ไม่รับคำตอบแล้ว ขอบคุณที่ให้ความสนใจ",
        "not_open_title": "แบบสำรวจนี้ยังไม่เปิด",
        "not_open_text": "โปรดกลับมาใหม่ภายหลัง",
    },
    "lt": {
        "submit": "Pateikti",
        "next": "Toliau",
        "back": "Atgal",
        "page_of": "{page} psl. iš {pages}",
        "required": "privaloma",
        "thanks_title": "Ačiū!",
        "thanks_default": "Dėkojame už jūsų atsiliepimą.",
        "nps_low": "Tikrai nerekomenduočiau",
        "nps_high": "Tikrai rekomenduočiau",
        "csat_low": "Visiškai nepatenkintas",
        "csat_high": "Labai patenkintas",
        "agreement_low": "Visiškai nesutinku",
        "agreement_high": "Visiškai sutinku",
        "effort_low": "Labai mažai pastangų",
        "effort_high": "Labai daug pastangų",
        "rating_low": "Prastai",
        "rating_high": "Puikiai",
        "select_all": "Pažymėkite visus tinkamus",
        "language": "Kalba",
        "error_summary": "Patikrinkite žemiau pažymėtus atsakymus.",
        "error_required": "Atsakykite į šį klausimą.",
        "error_scale": "Pasirinkite skaičių nuo {low} iki {high}.",
        "error_choice": "Pasirinkite vieną iš variantų.",
        "error_too_long": "Atsakymas per ilgas (daugiausia {max} simbolių).",
        "error_invalid": "Šis atsakymas netinkamas.",
        "error_answer_one": "Atsakykite bent į vieną klausimą.",
        "expired_title": "Ši nuoroda nebegalioja",
        "expired_text": "Paprašykite siuntėjo naujos apklausos nuorodos.",
        "invalid_title": "Ši nuoroda neteisinga",
        "invalid_text": "Patikrinkite, ar nukopijavote visą nuorodą.",
        "closed_title": "Ši apklausa uždaryta",
        "closed_text": "Ji nebepriima atsakymų. Ačiū už susidomėjimą.",
        "not_open_title": "Ši apklausa dar nepradėta",
        "not_open_text": "Užsukite vėliau.",
    },
    "ar": {
        "submit": "إرسال",
        "next": "التالي",
        "back": "رجوع",
        "page_of": "الصفحة {page} من {pages}",
        "required": "مطلوب",
        "thanks_title": "شكرًا لك!",
        "thanks_default": "شكرًا لك على ملاحظاتك.",
        "nps_low": "غير محتمل على الإطلاق",
        "nps_high": "محتمل للغاية",
        "csat_low": "غير راضٍ للغاية",
        "csat_high": "راضٍ للغاية",
        "select_all": "اختر كل ما ينطبق",
        "language": "اللغة",
        "error_summary": "يرجى مراجعة الإجابات المحددة أدناه.",
        "error_required": "يرجى الإجابة عن هذا السؤال.",
        "error_scale": "اختر رقمًا من {low} إلى {high}.",
        "error_choice": "اختر أحد الخيارات.",
        "error_invalid": "هذه الإجابة غير صالحة.",
        "error_answer_one": "يرجى الإجابة عن سؤال واحد على الأقل.",
    },
    "he": {
        "submit": "שליחה",
        "next": "הבא",
        "back": "חזרה",
        "page_of": "עמוד {page} מתוך {pages}",
        "required": "חובה",
        "thanks_title": "תודה!",
        "thanks_default": "תודה על המשוב שלך.",
        "nps_low": "בכלל לא סביר",
        "nps_high": "סביר מאוד",
        "language": "שפה",
        "error_summary": "נא לבדוק את התשובות המסומנות למטה.",
        "error_required": "נא לענות על שאלה זו.",
    },
    "de": {
        "submit": "Absenden",
        "required": "Pflichtfeld",
        "thanks_title": "Vielen Dank!",
        "thanks_default": "Vielen Dank für Ihr Feedback.",
        "nps_low": "Sehr unwahrscheinlich",
        "nps_high": "Äußerst wahrscheinlich",
        "csat_low": "Sehr unzufrieden",
        "csat_high": "Sehr zufrieden",
        "agreement_low": "Stimme überhaupt nicht zu",
        "agreement_high": "Stimme voll und ganz zu",
        "effort_low": "Sehr geringer Aufwand",
        "effort_high": "Sehr hoher Aufwand",
        "rating_low": "Schlecht",
        "rating_high": "Ausgezeichnet",
        "select_all": "Mehrfachauswahl möglich",
        "language": "Sprache",
        "error_summary": "Bitte prüfen Sie die unten markierten Antworten.",
        "error_required": "Bitte beantworten Sie diese Frage.",
        "error_scale": "Wählen Sie eine Zahl von {low} bis {high}.",
        "error_choice": "Wählen Sie eine der Optionen.",
        "error_too_long": "Diese Antwort ist zu lang (höchstens {max} Zeichen).",
        "error_invalid": "Diese Antwort ist ungültig.",
        "error_answer_one": "Bitte beantworten Sie mindestens eine Frage.",
        "expired_title": "Dieser Link ist abgelaufen",
        "expired_text": "Bitten Sie den Absender um einen neuen Umfragelink.",
        "invalid_title": "Dieser Link ist ungültig",
        "invalid_text": "Prüfen Sie, ob Sie den ganzen Link kopiert haben.",
        "closed_title": "Diese Umfrage ist beendet",
        "closed_text": "Sie nimmt keine Antworten mehr an. Danke für Ihr Interesse.",
        "not_open_title": "Diese Umfrage ist noch nicht geöffnet",
        "not_open_text": "Bitte schauen Sie später wieder vorbei.",
    },
    "fr": {
        "submit": "Envoyer",
        "required": "obligatoire",
        "thanks_title": "Merci !",
        "thanks_default": "Merci pour votre avis.",
        "nps_low": "Pas du tout probable",
        "nps_high": "Très probable",
        "csat_low": "Très insatisfait",
        "csat_high": "Très satisfait",
        "agreement_low": "Pas du tout d'accord",
        "agreement_high": "Tout à fait d'accord",
        "effort_low": "Très peu d'effort",
        "effort_high": "Beaucoup d'effort",
        "rating_low": "Mauvais",
        "rating_high": "Excellent",
        "select_all": "Plusieurs réponses possibles",
        "language": "Langue",
        "error_summary": "Veuillez vérifier les réponses signalées ci-dessous.",
        "error_required": "Veuillez répondre à cette question.",
        "error_scale": "Choisissez un nombre de {low} à {high}.",
        "error_choice": "Choisissez l'une des options.",
        "error_too_long": "Cette réponse est trop longue ({max} caractères au plus).",
        "error_invalid": "Cette réponse n'est pas valide.",
        "error_answer_one": "Veuillez répondre à au moins une question.",
        "expired_title": "Ce lien a expiré",
        "expired_text": "Demandez un nouveau lien à l'expéditeur.",
        "invalid_title": "Ce lien n'est pas valide",
        "invalid_text": "Vérifiez que vous avez copié le lien en entier.",
        "closed_title": "Cette enquête est close",
        "closed_text": "Elle n'accepte plus de réponses. Merci de votre intérêt.",
        "not_open_title": "Cette enquête n'est pas encore ouverte",
        "not_open_text": "Revenez plus tard.",
    },
    "es": {
        "submit": "Enviar",
        "required": "obligatoria",
        "thanks_title": "¡Gracias!",
        "thanks_default": "Gracias por tu opinión.",
        "nps_low": "Nada probable",
        "nps_high": "Muy probable",
        "csat_low": "Muy insatisfecho",
        "csat_high": "Muy satisfecho",
        "agreement_low": "Totalmente en desacuerdo",
        "agreement_high": "Totalmente de acuerdo",
        "effort_low": "Muy poco esfuerzo",
        "effort_high": "Mucho esfuerzo",
        "rating_low": "Malo",
        "rating_high": "Excelente",
        "select_all": "Selecciona todas las que correspondan",
        "language": "Idioma",
        "error_summary": "Revisa las respuestas marcadas abajo.",
        "error_required": "Responde a esta pregunta.",
        "error_scale": "Elige un número del {low} al {high}.",
        "error_choice": "Elige una de las opciones.",
        "error_too_long": "Esta respuesta es demasiado larga (máximo {max} caracteres).",
        "error_invalid": "Esta respuesta no es válida.",
        "error_answer_one": "Responde al menos una pregunta.",
        "expired_title": "Este enlace ha caducado",
        "expired_text": "Pide al remitente un nuevo enlace a la encuesta.",
        "invalid_title": "Este enlace no es válido",
        "invalid_text": "Comprueba que copiaste el enlace completo.",
        "closed_title": "Esta encuesta está cerrada",
        "closed_text": "Ya no acepta respuestas. Gracias por tu interés.",
        "not_open_title": "Esta encuesta aún no está abierta",
        "not_open_text": "Vuelve más tarde.",
    },
    "pt": {
        "submit": "Enviar",
        "required": "obrigatória",
        "thanks_title": "Obrigado!",
        "thanks_default": "Obrigado pela sua opinião.",
        "nps_low": "Nada provável",
        "nps_high": "Extremamente provável",
        "csat_low": "Muito insatisfeito",
        "csat_high": "Muito satisfeito",
        "agreement_low": "Discordo totalmente",
        "agreement_high": "Concordo totalmente",
        "effort_low": "Muito pouco esforço",
        "effort_high": "Muito esforço",
        "rating_low": "Ruim",
        "rating_high": "Excelente",
        "select_all": "Selecione todas as que se aplicam",
        "language": "Idioma",
        "error_summary": "Verifique as respostas assinaladas abaixo.",
        "error_required": "Responda a esta pergunta.",
        "error_scale": "Escolha um número de {low} a {high}.",
        "error_choice": "Escolha uma das opções.",
        "error_too_long": "Esta resposta é longa demais (no máximo {max} caracteres).",
        "error_invalid": "Esta resposta não é válida.",
        "error_answer_one": "Responda a pelo menos uma pergunta.",
        "expired_title": "Este link expirou",
        "expired_text": "Peça um novo link da pesquisa a quem o enviou.",
        "invalid_title": "Este link não é válido",
        "invalid_text": "Verifique se copiou o link inteiro.",
        "closed_title": "Esta pesquisa está encerrada",
        "closed_text": "Ela não aceita mais respostas. Obrigado pelo interesse.",
        "not_open_title": "Esta pesquisa ainda não está aberta",
        "not_open_text": "Volte mais tarde.",
    },
}


def primary(tag: str) -> str:
    return tag.split("-", 1)[0]


def chrome(language: str) -> dict[str, str]:
    """The page words in ``language`` (or its primary subtag), English where missing."""
    words = CHROME.get(language) or CHROME.get(primary(language)) or {}
    return {**CHROME["en"], **words}


def text_direction(language: str) -> str:
    return "rtl" if primary(language) in RTL_LANGUAGES else "ltr"


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language) or LANGUAGE_NAMES.get(primary(language)) or language


def _clean(tag: str | None) -> str | None:
    if not tag:
        return None
    try:
        return normalise_language(tag)
    except ValueError:
        return None


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, best first (q=0 and junk dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:30]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        clean = _clean(tag)
        if clean and quality > 0:
            ranked.append((-quality, index, clean))
    return [tag for _, _, tag in sorted(ranked)]


def match_language(wanted: str | None, available: Sequence[str]) -> str | None:
    """``wanted`` itself if available, else an available language with the same primary subtag."""
    tag = _clean(wanted)
    if tag is None:
        return None
    if tag in available:
        return tag
    for candidate in (primary(tag), *available):
        if primary(candidate) == primary(tag) and candidate in available:
            return candidate
    return None


def pick_language(
    available: Sequence[str],
    default: str,
    *,
    requested: str | None = None,
    accept_language: str | None = None,
    link_language: str | None = None,
    contact_language: str | None = None,
) -> str:
    """``?lang=``, else the personal link's or invitation's language, else the contact's,
    else the browser's best match (Accept-Language q-values), else the survey's default.

    An unknown or malformed language never fails: it falls through to the next choice.
    """
    choices = (requested, link_language, contact_language, *parse_accept_language(accept_language))
    for wanted in choices:
        found = match_language(wanted, available)
        if found:
            return found
    return default
