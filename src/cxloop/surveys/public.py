"""The public survey page ``/s/<token>``: answer on a phone, in your language, without JavaScript.

The token is a survey's unguessable public token, or a signed personal link that ties the
answers to one contact. Bad links get a friendly page in the respondent's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from cxloop.core.deps import DbSession
from cxloop.core.errors import Conflict, Gone, Invalid, NotFound
from cxloop.journeys.models import Channel
from cxloop.responses import service as responses
from cxloop.responses.schemas import ContactRef, ResponseCreate
from cxloop.surveys import service as surveys
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.i18n import CHROME, chrome, language_name, pick_language, text_direction
from cxloop.surveys.models import Survey
from cxloop.surveys.public_view import (
    HONEYPOT,
    form_answers,
    in_language,
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


def _language(request: Request, survey: Survey, requested: str | None, link: str | None) -> str:
    return pick_language(
        survey.languages,
        survey.default_language,
        requested=requested,
        accept_language=request.headers.get("accept-language"),
        link_language=link,
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


def _form_page(
    request: Request,
    db: Session,
    link: Link,
    survey: AnswerableSurvey,
    language: str,
    *,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    form_errors: list[str] | None = None,
    submission: str | None = None,
) -> HTMLResponse:
    words = chrome(language)
    questions = surveys.questions_of_version(db, survey.version.id)
    texts = in_language(
        surveys.version_texts(db, survey.version.id), language, survey.default_language
    )
    context = {
        "token": link.token,
        "texts": texts or {},
        "questions": question_views(
            questions, language, survey.default_language, words, answers, errors
        ),
        "languages": [(code, language_name(code)) for code in survey.languages],
        "form_errors": form_errors or [],
        "submission_id": submission_id(submission),
        "honeypot": HONEYPOT,
    }
    status = 422 if errors or form_errors else 200
    return _page(request, "surveys/public_form.html", language, context, status)


def _thanks_url(token: str, language: str) -> str:
    return f"/s/{quote(token)}/thanks?lang={quote(language)}"


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(token: str, request: Request, db: DbSession, lang: str | None = None) -> Response:
    try:
        link = _resolve(request, db, token)
        survey = _answerable(db, link)
    except LinkProblem as problem:
        return _problem(request, problem, lang)
    language = _language(request, link.survey, lang, link.language)
    return _form_page(request, db, link, survey, language)


@router.post("/s/{token}", response_class=HTMLResponse)
def submit_page(token: str, request: Request, db: DbSession, form: PostedForm) -> Response:
    """Stores the answers (once per submission id) and shows the thank-you page."""
    requested = form.get("lang")
    requested = requested if isinstance(requested, str) else None
    try:
        link = _resolve(request, db, token)
        survey = _answerable(db, link)
    except LinkProblem as problem:
        return _problem(request, problem, requested)
    language = _language(request, link.survey, requested, link.language)
    if form.get(HONEYPOT):  # a bot filled the hidden field: pretend all went well
        return RedirectResponse(_thanks_url(token, language), status_code=303)
    questions = surveys.questions_of_version(db, survey.version.id)
    answers = form_answers(form, questions)
    submission = submission_id(form.get("submission_id"))
    data = ResponseCreate(
        survey_id=survey.id,
        answers=answers,
        language=language,
        channel=None if survey.touchpoint_id else Channel.web,
        contact=ContactRef(id=link.contact_id) if link.contact_id else None,
        idempotency_key=f"link:{survey.id}:{submission}",
    )
    try:
        _store(db, survey, data)
    except Invalid as exc:
        db.rollback()
        errors, general = translate_errors(exc.details, questions, chrome(language))
        return _form_page(
            request,
            db,
            link,
            survey,
            language,
            answers=answers,
            errors=errors,
            form_errors=general,
            submission=submission,
        )
    return RedirectResponse(_thanks_url(token, language), status_code=303)


def _store(db: Session, survey: AnswerableSurvey, data: ResponseCreate) -> None:
    """Stores and commits; a personal link whose contact was deleted still counts, anonymously."""
    try:
        responses.submit_prepared_survey(db, survey, data, source="link")
    except NotFound:
        if data.contact is None:
            raise
        db.rollback()
        data = data.model_copy(update={"contact": None})
        responses.submit_prepared_survey(db, survey, data, source="link")
    db.commit()


@router.get("/s/{token}/thanks", response_class=HTMLResponse)
def thanks_page(token: str, request: Request, db: DbSession, lang: str | None = None) -> Response:
    try:
        link = _resolve(request, db, token)
    except LinkProblem as problem:
        return _problem(request, problem, lang)
    survey = link.survey
    language = _language(request, survey, lang, link.language)
    texts = in_language(
        surveys.version_texts(db, survey.current_version_id or ""),
        language,
        survey.default_language,
    )
    context = {"texts": texts or {}}
    return _page(request, "surveys/public_thanks.html", language, context)
