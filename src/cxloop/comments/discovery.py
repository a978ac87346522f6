"""Theme discovery for a workspace: cluster the comments no theme covers and store the
clusters as suggestions a person accepts (as a new theme), renames or discards."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.comments import repository as repo
from cxloop.comments import service
from cxloop.comments.models import ThemeDefinition, ThemeSuggestion
from cxloop.comments.schemas import SuggestionAccept, SuggestionRead
from cxloop.core.errors import Conflict, Invalid, NotFound
from cxloop.text.discovery import UncoveredComment, discover_themes

MAX_COMMENTS = 100_000


def discover(db: Session, workspace_id: str) -> int:
    """Replaces the open suggestions with fresh ones; returns how many were proposed."""
    rows = repo.uncovered_texts(db, workspace_id, MAX_COMMENTS)
    existing = {t.key for t in service.taxonomy(db, workspace_id, "themes").themes}
    proposals = discover_themes(
        [UncoveredComment(i, text, language) for i, text, language in rows],
        existing_keys=existing,
    )
    repo.discard_proposed(db, workspace_id)
    for proposal in proposals:
        db.add(
            ThemeSuggestion(
                workspace_id=workspace_id,
                label=proposal.label[:200],
                language=proposal.language,
                keywords=list(proposal.keywords),
                quotes=[{"comment_id": q.comment_id, "text": q.text} for q in proposal.quotes],
                size=proposal.size,
                status="proposed",
            )
        )
    db.flush()
    return len(proposals)


def suggestions(db: Session, workspace_id: str, status: str | None = None) -> list[SuggestionRead]:
    if status is not None and status not in ("proposed", "accepted", "discarded"):
        raise Invalid("status: use proposed, accepted or discarded")
    return [SuggestionRead.model_validate(s) for s in repo.suggestions(db, workspace_id, status)]


def _open(db: Session, workspace_id: str, suggestion_id: str) -> ThemeSuggestion:
    found = repo.suggestion(db, workspace_id, suggestion_id)
    if found is None:
        raise NotFound(f"suggestion '{suggestion_id}' does not exist")
    if found.status != "proposed":
        raise Conflict(f"suggestion '{suggestion_id}' was already {found.status}")
    return found


def accept(
    db: Session, workspace_id: str, suggestion_id: str, data: SuggestionAccept
) -> SuggestionRead:
    """Turns a suggestion into a workspace theme with its keywords and quotes as examples."""
    found = _open(db, workspace_id, suggestion_id)
    if repo.definition(db, workspace_id, "themes", data.key) or data.key in {
        t.key for t in service.taxonomy(db, workspace_id, "themes").themes
    }:
        raise Conflict(f"key: a theme '{data.key}' already exists")
    language = found.language if found.language != "und" else "en"
    db.add(
        ThemeDefinition(
            workspace_id=workspace_id,
            taxonomy="themes",
            key=data.key,
            name={language: data.name or found.label},
            description=f"Discovered from {found.size} comments.",
            keywords={language: list(found.keywords)},
            examples={language: [str(q["text"])[:300] for q in found.quotes[:5]]},
            enabled=True,
        )
    )
    found.status = "accepted"
    found.theme_key = data.key
    db.flush()
    service.bump_taxonomy(db, workspace_id)
    return SuggestionRead.model_validate(found)


def dismiss(db: Session, workspace_id: str, suggestion_id: str) -> SuggestionRead:
    found = _open(db, workspace_id, suggestion_id)
    found.status = "discarded"
    db.flush()
    return SuggestionRead.model_validate(found)
