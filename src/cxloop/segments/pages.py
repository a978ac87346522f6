"""Segment and persona pages: the list with member counts, a form to create or edit one (a
guided attribute condition and/or the conditions as JSON), a member preview, and delete.

Form errors re-render the form with what the user typed and the message naming the field.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from cxloop.core.deps import DbSession, PageAnalyst, PageViewer, Principal
from cxloop.core.errors import CxError, Invalid
from cxloop.core.security import Role, role_at_least
from cxloop.core.web import check_csrf, render
from cxloop.segments import service
from cxloop.segments.schemas import SegmentCreate, SegmentDefinition, SegmentRead, SegmentUpdate

router = APIRouter()
Text = Annotated[str, Form()]
FIELDS = ("name", "kind", "description", "match", "conditions", "attr_key", "attr_op", "attr_value")
OPS = {
    "eq": "is",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "exists": "is set",
    "missing": "is not set",
}
LABELS = {"name": "Name", "kind": "Kind", "description": "Description", "match": "Match"}
NOTICES = {"created": "Segment saved.", "updated": "Changes saved.", "deleted": "Segment deleted."}


def _scalar(text: str) -> str | int | float | bool:
    """A typed value: true/false, an integer, a decimal number, or else the text itself."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text.strip())
        except ValueError:
            pass
    return text.strip()


def _guided(form: dict[str, str]) -> dict[str, Any] | None:
    key = form["attr_key"].strip()
    if not key:
        return None
    op = form["attr_op"] if form["attr_op"] in OPS else "eq"
    condition: dict[str, Any] = {"field": "attribute", "key": key, "op": op}
    raw = form["attr_value"]
    if op in ("in", "not_in"):
        condition["value"] = [_scalar(v) for v in raw.split(",") if v.strip()]
    elif op not in ("exists", "missing"):
        condition["value"] = _scalar(raw) if raw.strip() else None
    return condition


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _readable(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = _where(tuple(err["loc"])) or "definition"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{LABELS.get(field, field)}: {message}"


def definition_of(form: dict[str, str]) -> SegmentDefinition:
    """The definition from the JSON box (a list of conditions, one condition or a whole
    definition) plus the guided attribute condition; Invalid names what is wrong."""
    match: Any = form["match"] or "all"
    conditions: list[Any] = []
    text = form["conditions"].strip()
    if text:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Invalid(
                f"Conditions (JSON): {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        if isinstance(parsed, dict) and "conditions" in parsed:
            match = parsed.get("match", match)
            parsed = parsed["conditions"]
        conditions = parsed if isinstance(parsed, list) else [parsed]
    guided = _guided(form)
    if guided:
        conditions.append(guided)
    if not conditions:
        raise Invalid("Conditions: add a condition (an attribute below, or JSON)")
    try:
        return SegmentDefinition.model_validate({"match": match, "conditions": conditions})
    except ValidationError as exc:
        raise Invalid(_readable(exc)) from None


def _form_of(segment: SegmentRead | None) -> dict[str, str]:
    form = dict.fromkeys(FIELDS, "")
    form.update(kind="segment", match="all", attr_op="eq")
    if segment is not None:
        conditions = segment.definition.model_dump(mode="json", exclude_defaults=True)
        form.update(
            name=segment.name,
            kind=segment.kind,
            description=segment.description,
            match=segment.definition.match,
            conditions=json.dumps(conditions.get("conditions", []), indent=2, ensure_ascii=False),
        )
    return form


def _render(
    request: Request,
    db: DbSession,
    caller: Principal,
    segment: SegmentRead | None,
    form: dict[str, str] | None = None,
    *,
    error: str | None = None,
    preview: int | None = None,
    notice: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "segment": segment,
        "form": form or _form_of(segment),
        "ops": OPS,
        "error": error,
        "preview": preview,
        "notice": NOTICES.get(notice or ""),
        "can_edit": role_at_least(caller.role, Role.analyst),
    }
    if segment is None:
        context["segments"] = service.list_segments(db, caller.workspace_id)
        return render(request, "segments/list.html", context, status_code=status)
    return render(request, "segments/edit.html", context, status_code=status)


async def _posted(request: Request) -> dict[str, str]:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    return {k: str(data.get(k) or "")[:20000] for k in FIELDS}


@router.get("/app/segments", response_class=HTMLResponse)
def segments_page(
    request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    return _render(request, db, caller, None, notice=notice)


@router.post("/app/segments/preview")
async def preview_segment(request: Request, caller: PageViewer, db: DbSession) -> Response:
    """How many contacts the form's definition selects, without saving it."""
    data = await request.form()
    segment_id = str(data.get("segment_id") or "")
    segment = service.get(db, caller.workspace_id, segment_id) if segment_id else None
    form = await _posted(request)
    try:
        count = service.preview(db, caller.workspace_id, definition_of(form))
    except CxError as exc:
        return _render(
            request, db, caller, segment, form, error=exc.message, status=exc.status_code
        )
    return _render(request, db, caller, segment, form, preview=count)


@router.post("/app/segments")
async def create_segment(request: Request, caller: PageAnalyst, db: DbSession) -> Response:
    form = await _posted(request)
    try:
        data = SegmentCreate.model_validate(
            {
                "name": form["name"].strip(),
                "kind": form["kind"] or "segment",
                "description": form["description"].strip(),
                "definition": definition_of(form),
            }
        )
        service.create(db, caller.workspace_id, data)
    except ValidationError as exc:
        return _render(request, db, caller, None, form, error=_readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _render(request, db, caller, None, form, error=exc.message, status=exc.status_code)
    db.commit()
    return RedirectResponse("/app/segments?notice=created", status_code=303)


@router.get("/app/segments/{segment_id}", response_class=HTMLResponse)
def segment_page(
    segment_id: str, request: Request, caller: PageViewer, db: DbSession, notice: str = ""
) -> Response:
    return _render(
        request, db, caller, service.get(db, caller.workspace_id, segment_id), notice=notice
    )


@router.post("/app/segments/{segment_id}")
async def update_segment(
    segment_id: str, request: Request, caller: PageAnalyst, db: DbSession
) -> Response:
    segment = service.get(db, caller.workspace_id, segment_id)  # 404 before reading the form
    form = await _posted(request)
    try:
        data = SegmentUpdate.model_validate(
            {
                "name": form["name"].strip(),
                "description": form["description"].strip(),
                "definition": definition_of(form),
            }
        )
        service.update(db, caller.workspace_id, segment_id, data)
    except ValidationError as exc:
        return _render(request, db, caller, segment, form, error=_readable(exc), status=422)
    except CxError as exc:
        db.rollback()
        return _render(
            request, db, caller, segment, form, error=exc.message, status=exc.status_code
        )
    db.commit()
    return RedirectResponse(f"/app/segments/{segment_id}?notice=updated", status_code=303)


@router.post("/app/segments/{segment_id}/delete")
async def delete_segment(
    segment_id: str, request: Request, caller: PageAnalyst, db: DbSession
) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf") or ""))
    service.delete(db, caller.workspace_id, segment_id)
    db.commit()
    return RedirectResponse("/app/segments?notice=deleted", status_code=303)
