"""Fixed survey responses for the index tests (leadership side).

`make_response(agency, at=..., scores=...)` writes one response to survey v1 (installed by the
data migration) with exactly the scores asked for, so every percentage in the tests can be
computed by hand. Scores: an int for every question, or a dict criterion code -> int or list
(one score per question, in order); `skip` leaves a criterion's questions unanswered.
Responses are written directly (no dossier lifecycle needed); the follow-up tests use the
survey helper's `response_submit` where the opening of follow-ups matters.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from satisfaction.constants import DEFAULT_SURVEY_CODE, FollowUpEventType, ResponseSource
from satisfaction.models import (
    Answer,
    FacilityOption,
    FollowUp,
    FollowUpEvent,
    Question,
    Response,
    Survey,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODES = [
    "tiep_can_dich_vu",
    "dieu_kien_tiep_don",
    "thu_tuc_hanh_chinh",
    "phuc_vu_cong_chuc",
    "ket_qua_tien_do",
    "tiep_nhan_phan_hoi",
]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


def active_survey() -> Survey:
    return Survey.objects.get(code=DEFAULT_SURVEY_CODE, is_active=True)


def _questions(survey):
    return list(
        Question.objects.filter(criterion__survey=survey)
        .select_related("criterion")
        .order_by("criterion__position", "position", "pk")
    )


def make_response(
    agency,
    *,
    at: datetime,
    scores: int | dict = 5,
    survey: Survey | None = None,
    procedure=None,
    desk_officer=None,
    handler=None,
    dossier=None,
    comment: str = "",
    expectation: str = "",
    facilities: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    follow_up: bool = False,
) -> Response:
    """One response with exactly these scores (see the module docstring)."""
    survey = survey or active_survey()
    answers = []
    seen: dict[str, int] = {}
    for question in _questions(survey):
        code = question.criterion.code
        if code in skip:
            continue
        index = seen.get(code, 0)
        seen[code] = index + 1
        value = scores.get(code, scores.get("*", 5)) if isinstance(scores, dict) else scores
        score = value[index] if isinstance(value, list) else value
        answers.append((question, score))
    values = [score for _question, score in answers]
    response = Response.objects.create(
        agency=agency,
        survey=survey,
        dossier=dossier,
        source=ResponseSource.LINK,
        procedure=procedure if procedure is not None else getattr(dossier, "procedure", None),
        desk_officer=desk_officer,
        handler=handler,
        submitted_at=at,
        comment=comment,
        expectation=expectation,
        mean_score=(Decimal(sum(values)) / len(values)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ),
        has_low_score=min(values) <= 2,
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=question, score=score) for question, score in answers
    )
    if facilities:
        response.facility_options.set(
            FacilityOption.objects.filter(survey=survey, code__in=facilities)
        )
    if follow_up:
        item = FollowUp.objects.create(
            response=response,
            opened_at=at,
            reasons=[
                {
                    "kind": "low_score",
                    "criterion": question.criterion.code,
                    "criterion_label": question.criterion.label,
                    "question_id": question.pk,
                    "question": question.text,
                    "score": score,
                }
                for question, score in answers
                if score <= 2
            ],
        )
        FollowUpEvent.objects.create(follow_up=item, type=FollowUpEventType.OPENED, at=at)
    return response
