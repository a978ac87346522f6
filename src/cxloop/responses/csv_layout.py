"""The header of a response CSV file: which column holds which field, answer or hidden value."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.core.errors import Invalid
from cxloop.surveys.definitions import AnswerableSurvey
from cxloop.surveys.schemas import KEY_RE

FIELDS = (
    "survey_id",
    "submitted_at",
    "contact_id",
    "contact_external_id",
    "contact_email",
    "contact_name",
    "language",
    "channel",
    "touchpoint_id",
    "idempotency_key",
)
ANSWER, HIDDEN = "answer.", "hidden."
Values = tuple[dict[str, str], dict[str, str], dict[str, str]]


@dataclass
class Layout:
    """Column positions by field name, question key and hidden field name."""

    header: list[str]
    fields: dict[str, int]
    answers: dict[str, int]
    hidden: dict[str, int]
    survey_id: str | None = None  # the survey of every row, when given for the whole file

    def values(self, cells: list[str]) -> Values | str:
        """(fields, answers, hidden) of a record, without empty cells; or what is wrong."""
        if len(cells) > len(self.header):
            return f"row has {len(cells)} fields but the header has {len(self.header)}"
        cells = cells + [""] * (len(self.header) - len(cells))

        def pick(columns: dict[str, int]) -> dict[str, str]:
            return {name: cells[i].strip() for name, i in columns.items() if cells[i].strip()}

        return pick(self.fields), pick(self.answers), pick(self.hidden)


def read_layout(header: list[str], survey: AnswerableSurvey | None) -> Layout:
    """Checks line 1; ``survey`` is the survey given for the whole file, if any."""
    names = [h.strip() for h in header]
    layout = Layout(names, {}, {}, {}, survey.id if survey else None)
    questions = survey.version.by_key if survey else None
    for index, name in enumerate(names):
        lower = name.lower()
        if not name:
            raise Invalid(f"file: column {index + 1} of line 1 has no name")
        if name in names[:index]:
            raise Invalid(f"file: column '{name}' appears twice in line 1")
        if lower in FIELDS:
            layout.fields[lower] = index
        elif lower.startswith(HIDDEN) and len(name) > len(HIDDEN):
            layout.hidden[name[len(HIDDEN) :]] = index
        else:
            key = lower[len(ANSWER) :] if lower.startswith(ANSWER) else lower
            known = questions is None or key in questions
            if not KEY_RE.match(key) or not known:
                raise Invalid(_unknown(name, survey))
            layout.answers[key] = index
    if "survey_id" not in layout.fields and survey is None:
        raise Invalid(
            "file: line 1 has no survey_id column; add one, or give the survey of the whole file "
            "(--survey, or the survey_id form field)"
        )
    if not layout.answers:
        raise Invalid(
            "file: line 1 names no answer columns; name them after the question keys "
            "(e.g. nps, comment) or answer.<key>"
        )
    return layout


def _unknown(name: str, survey: AnswerableSurvey | None) -> str:
    known = ", ".join(FIELDS)
    if survey is not None:
        keys = ", ".join(survey.version.by_key)
        return (
            f"file: line 1: column '{name}' is neither a known column ({known}, hidden.<name>) "
            f"nor a question of the survey (questions: {keys})"
        )
    return (
        f"file: line 1: column '{name}' is neither a known column ({known}, hidden.<name>) "
        "nor a question key (lowercase letters, digits and _)"
    )
