"""The invitation email: personal, in the contact's language, HTML and text, one-click NPS."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy.orm import Session

from cxloop.contacts.models import Contact
from cxloop.core.settings import Settings
from cxloop.invitations import links
from cxloop.surveys import service as surveys
from cxloop.surveys.models import Survey

CHROME: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "ask": "How likely are you to recommend us to a friend or colleague?",
        "low": "Not likely",
        "high": "Very likely",
        "open": "Open the survey",
        "unsubscribe": "Unsubscribe",
        "reminder": "Reminder: ",
    },
    "vi": {
        "hello": "Xin chào {name},",
        "ask": "Bạn có sẵn lòng giới thiệu chúng tôi cho bạn bè hoặc đồng nghiệp không?",
        "low": "Không sẵn lòng",
        "high": "Rất sẵn lòng",
        "open": "Mở khảo sát",
        "unsubscribe": "Hủy đăng ký",
        "reminder": "Nhắc lại: ",
    },
    "de": {
        "hello": "Hallo {name},",
        "ask": "Wie wahrscheinlich ist es, dass Sie uns weiterempfehlen?",
        "low": "Unwahrscheinlich",
        "high": "Sehr wahrscheinlich",
        "open": "Zur Umfrage",
        "unsubscribe": "Abmelden",
        "reminder": "Erinnerung: ",
    },
}


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def pick_language(survey: Survey, contact: Contact, wanted: str | None = None) -> str:
    """The contact's (or requested) language when the survey has it, else the survey default."""
    languages = survey.languages or [survey.default_language]
    for candidate in (wanted, contact.language):
        if not candidate:
            continue
        if candidate in languages:
            return candidate
        base = candidate.split("-")[0]
        if base in languages:
            return base
    return survey.default_language


def _survey_texts(db: Session, survey: Survey, language: str) -> tuple[str, str | None]:
    """(title, NPS prompt or None) in the language, falling back to the survey default."""
    title, prompt = survey.name, None
    if survey.current_version_id:
        texts = surveys.version_texts(db, survey.current_version_id)
        for lang in (language, survey.default_language):
            if texts.get(lang, {}).get("title"):
                title = texts[lang]["title"]
                break
        for question in surveys.questions_of_version(db, survey.current_version_id):
            if question.kind == "nps":
                for lang in (language, survey.default_language):
                    if question.texts.get(lang, {}).get("prompt"):
                        prompt = question.texts[lang]["prompt"]
                        break
                break
    return title, prompt


def has_nps(db: Session, survey: Survey) -> bool:
    if not survey.current_version_id:
        return False
    return any(q.kind == "nps" for q in surveys.questions_of_version(db, survey.current_version_id))


def compose(
    db: Session,
    settings: Settings,
    survey: Survey,
    contact: Contact,
    language: str,
    token: str,
    reminder: bool = False,
) -> Email:
    chrome = CHROME.get(language) or CHROME.get(language.split("-")[0]) or CHROME["en"]
    title, prompt = _survey_texts(db, survey, language)
    ask = prompt or chrome["ask"]
    name = contact.name or ""
    hello = chrome["hello"].format(name=name).replace(" ,", ",") if name else ""
    open_url = links.invitation_url(settings, token)
    unsubscribe = links.unsubscribe_url(settings, contact.workspace_id, contact.id, "email")
    nps = has_nps(db, survey)
    subject = (chrome["reminder"] if reminder else "") + title
    lines = [hello, "", title, ""] if hello else [title, ""]
    if nps:
        lines += [ask, ""]
        lines += [f"{score}: {links.nps_url(settings, token, score)}" for score in range(11)]
        lines += [""]
    lines += [f"{chrome['open']}: {open_url}", "", f"{chrome['unsubscribe']}: {unsubscribe}"]
    cells = Markup("").join(
        Markup(
            '<td><a href="{}" style="display:inline-block;padding:8px 10px;border:1px solid #888;'
            'text-decoration:none">{}</a></td>'
        ).format(links.nps_url(settings, token, score), score)
        for score in range(11)
    )
    scale = (
        Markup(
            '<p>{}</p><table role="presentation"><tr>{}</tr></table>'
            "<p><small>0 = {} · 10 = {}</small></p>"
        ).format(ask, cells, chrome["low"], chrome["high"])
        if nps
        else Markup("")
    )
    direction = "rtl" if language.split("-")[0] in {"ar", "he", "fa", "ur"} else "ltr"
    html = Markup(
        '<!doctype html><html lang="{lang}" dir="{dir}"><body>'
        "{hello}<h1>{title}</h1>{scale}"
        '<p><a href="{open}">{open_label}</a></p>'
        '<p><small><a href="{unsub}">{unsub_label}</a></small></p>'
        '<img src="{pixel}" width="1" height="1" alt="">'
        "</body></html>"
    ).format(
        lang=language,
        dir=direction,
        hello=Markup("<p>{}</p>").format(hello) if hello else Markup(""),
        title=title,
        scale=scale,
        open=open_url,
        open_label=chrome["open"],
        unsub=unsubscribe,
        unsub_label=chrome["unsubscribe"],
        pixel=links.pixel_url(settings, token),
    )
    return Email(subject, "\n".join(lines), str(html), unsubscribe)
