"""The public survey page ``/s/<token>``: answer on a phone, in your language, without JavaScript.

The token is a survey's unguessable public token, or a signed personal link that ties the
answers to one contact. Bad links get a friendly page in the respondent's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from cxloop.core.deps import DbSession
from cxloop.core.errors import Conflict, Gone, Invalid, NotFound
from cxloop.journeys.models import Channel
from cxloop.responses.schemas import ContactRef, ResponseCreate
from cxloop.surveys import public_flow as flow
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.i18n import CHROME, chrome, language_name, pick_language, text_direction
from cxloop.surveys.models import Survey
from cxloop.surveys.public_view import (
    HONEYPOT,
    form_answers,
    in_language,
    pages_of,
    prefill,
    question_views,
    submission_id,
    translate_errors,
)

router = APIRouter()


@dataclass(frozen=True)
class Link:
    """A survey reached through a token, with what a personal link adds."""

    survey: Survey
    token: str
    contact_id: str | None = None
    language: str | None = None


class LinkProblem(Exception):
    """Why a link cannot be answered: status code and the chrome keys of title and text."""

    def __init__(self, status: int, kind: str, survey: Survey | None = None) -> None:
        super().__init__(kind)
        self.status = status
        self.kind = kind
        self.survey = survey


async def posted_form(request: Request) -> FormData:
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def _resolve(request: Request, db: Session, token: str) -> Link:
    if "." not in token:  # public tokens are plain url-safe text; signed ones have dots
        try:
            return Link(surveys.survey_by_token(db, token), token)
        except NotFound as exc:
            raise LinkProblem(404, "invalid") from exc
    max_age = request.app.state.settings.survey_link_max_age_days * 86400
    try:
        payload = request.app.state.link_signer.verify(token, max_age)
        survey = surveys.survey_for_link(db, payload.get("s", ""))
    except Gone as exc:
        raise LinkProblem(410, "expired") from exc
    except NotFound as exc:
        raise LinkProblem(404, "invalid") from exc
    return Link(survey, token, payload.get("c"), payload.get("l"))


def _answerable(db: Session, link: Link) -> AnswerableSurvey:
    try:
        return surveys.answerable_survey(db, link.survey)
    except Gone as exc:
        raise LinkProblem(410, "closed", link.survey) from exc
    except Conflict as exc:
        raise LinkProblem(404, "not_open", link.survey) from exc


def _language(
    request: Request, db: Session, link: Link, requested: str | None, saved: str | None = None
) -> str:
    """``?lang=`` (or the language already used on earlier pages), the link's, the contact's,
    the browser's, the survey's default."""
    return pick_language(
        link.survey.languages,
        link.survey.default_language,
        requested=requested or saved,
        accept_language=request.headers.get("accept-language"),
        link_language=link.language,
        contact_language=flow.contact_language(db, link.survey.workspace_id, link.contact_id),
    )


def _page(
    request: Request, template: str, language: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    base = {"lang": language, "dir": text_direction(language), "words": chrome(language)}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem(request: Request, problem: LinkProblem, requested: str | None) -> HTMLResponse:
    """A page in the best language the page words exist in (the survey's texts are not shown)."""
    default = problem.survey.default_language if problem.survey else "en"
    language = pick_language(
        list(CHROME),
        default if default in CHROME else "en",
        requested=requested,
        accept_language=request.headers.get("accept-language"),
    )
    context = {"kind": problem.kind}
    return _page(request, "surveys/public_problem.html", language, context, problem.status)


@dataclass
class FormState:
    """Where the respondent is: the page, its submission id, answers so far, errors."""

    page: int = 1
    submission: str | None = None
    answers: dict[str, Any] | None = None
    errors: dict[str, str] | None = None
    form_errors: list[str] | None = None
    invitation: str | None = None
    started: str = ""
    hidden: dict[str, Any] = field(default_factory=dict)


def _form_page(
    request: Request,
    db: Session,
    link: Link,
    survey: AnswerableSurvey,
    language: str,
    state: FormState,
) -> HTMLResponse:
    words = chrome(language)
    pages = pages_of(surveys.questions_of_version(db, survey.version.id))
    page = min(max(state.page, 1), len(pages))
    texts = in_language(
        surveys.version_texts(db, survey.version.id), language, survey.default_language
    )
    sid = submission_id(state.submission)
    back = None
    if page > 1:
        back = flow.page_url(link.token, sid, page - 1, language, state.invitation, state.hidden)
    context = {
        "token": link.token,
        "texts": texts or {},
        "questions": question_views(
            pages[page - 1], language, survey.default_language, words, state.answers, state.errors
        ),
        "languages": [(code, language_name(code)) for code in survey.languages],
        "switch_params": flow.switch_params(sid if state.submission else None, page, state),
        "form_errors": state.form_errors or [],
        "submission_id": sid,
        "honeypot": HONEYPOT,
        "page": page,
        "pages": len(pages),
        "page_label": words["page_of"].format(page=page, pages=len(pages)),
        "back_url": back,
        "invitation": state.invitation or "",
        "hidden_fields": state.hidden,
        "started": state.started or flow.sign_start(request),
    }
    status = 422 if state.errors or state.form_errors else 200
    return _page(request, "surveys/public_form.html", language, context, status)


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(
    token: str,
    request: Request,
    db: DbSession,
    lang: str | None = None,
    sid: str | None = None,
    page: int = 1,
) -> Response:
    """The form (one page of it); ``sid`` resumes a partial response, ``?nps=7`` prefills."""
    try:
        link = _resolve(request, db, token)
        survey = _answerable(db, link)
    except LinkProblem as problem:
        return _problem(request, problem, lang)
    saved = flow.find_progress(db, survey, sid, link.contact_id)
    questions = surveys.questions_of_version(db, survey.version.id)
    answers = dict(saved.answers) if saved else prefill(questions, request.query_params)
    state = FormState(
        page=min(page, saved.page) if saved else 1,
        submission=saved.submission_key if saved else None,
        answers=answers,
        invitation=flow.invitation_of(request.query_params)
        or (saved.invitation_token if saved else None),
        hidden=flow.hidden_of(request.query_params),
    )
    if saved is not None and "page" not in request.query_params:
        state.page = saved.page
    language = _language(request, db, link, lang, saved.language if saved else None)
    return _form_page(request, db, link, survey, language, state)


@router.post("/s/{token}", response_class=HTMLResponse)
def submit_page(token: str, request: Request, db: DbSession, form: PostedForm) -> Response:
    """Saves one page (a partial response) or, on the last page, stores the response."""
    requested = _text(form, "lang")
    try:
        link = _resolve(request, db, token)
        survey = _answerable(db, link)
    except LinkProblem as problem:
        return _problem(request, problem, requested)
    language = _language(request, db, link, requested)
    submission = submission_id(form.get("submission_id"))
    invitation = flow.invitation_of(form)
    questions = surveys.questions_of_version(db, survey.version.id)
    if form.get(HONEYPOT):  # a bot filled the hidden field: keep it apart, pretend all went well
        flow.record_bot(db, survey, submission, language, form_answers(form, questions))
        return RedirectResponse(_thanks_url(token, language), status_code=303)
    pages = pages_of(questions)
    number = min(max(_int(form.get("page")), 1), len(pages))
    state = FormState(
        page=number,
        submission=submission,
        invitation=invitation,
        started=_text(form, "started") or "",
        hidden=flow.hidden_of(form),
    )
    page_answers = form_answers(form, pages[number - 1])
    start = flow.Start(link.contact_id, invitation)
    if number < len(pages):
        errors = flow.page_errors(survey, pages[number - 1], page_answers, chrome(language))
        if errors:
            state.answers, state.errors = page_answers, errors
            return _form_page(request, db, link, survey, language, state)
        flow.save_page(
            db, survey, submission, pages[number - 1], page_answers, number, language, start
        )
        url = flow.page_url(token, submission, number + 1, language, invitation, state.hidden)
        return RedirectResponse(url, status_code=303)
    answers, started_at = flow.all_answers(db, survey, submission, pages[-1], page_answers)
    data = ResponseCreate(
        survey_id=survey.id,
        answers=answers,
        language=language,
        channel=None if survey.touchpoint_id else Channel.web,
        contact=ContactRef(id=link.contact_id) if link.contact_id else None,
        idempotency_key=f"link:{survey.id}:{submission}",
        started_at=started_at or flow.verify_start(request, state.started),
        hidden=state.hidden,
    )
    try:
        flow.store(db, survey, data, submission, start, single=len(pages) == 1)
    except Invalid as exc:
        db.rollback()
        errors, general = translate_errors(exc.details, questions, chrome(language))
        state.page = flow.first_page_with(pages, errors) or number
        state.answers, state.errors, state.form_errors = answers, errors, general
        return _form_page(request, db, link, survey, language, state)
    return RedirectResponse(_thanks_url(token, language), status_code=303)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 4 else 1


def _thanks_url(token: str, language: str) -> str:
    return f"/s/{quote(token)}/thanks?lang={quote(language)}"


@router.get("/s/{token}/thanks", response_class=HTMLResponse)
def thanks_page(token: str, request: Request, db: DbSession, lang: str | None = None) -> Response:
    try:
        link = _resolve(request, db, token)
    except LinkProblem as problem:
        return _problem(request, problem, lang)
    survey = link.survey
    language = _language(request, db, link, lang)
    texts = in_language(
        surveys.version_texts(db, survey.current_version_id or ""),
        language,
        survey.default_language,
    )
    context = {"texts": texts or {}}
    return _page(request, "surveys/public_thanks.html", language, context)
