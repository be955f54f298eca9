"""Demo satisfaction data (`manage.py seed_demo`): about 60 responses of the last six months.

Built through the real services after the demo dossiers exist: a survey tablet enrolled at the
desk by the demo desk officer, responses to returned dossiers a few days after each return
(from the SMS/email link, the slip's QR code or the code + phone entry), general responses at
the tablet, mostly satisfied with a few low scores and complaints that open follow-ups (the
oldest ones closed by the leader), and facility checklist ticks. Deterministic (seeded random)
and idempotent: when the agency already has responses, `seed()` adds nothing and returns 0.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from dossiers.constants import DossierStatus
from dossiers.demo import DESK_USERNAME, LEADER_USERNAME
from dossiers.models import Dossier

from . import services
from .constants import ResponseSource
from .models import FollowUp, KioskDevice, Response
from .selectors import active_survey

DEMO_SEED = 20260707
DEMO_TABLET = "Quầy 1 (máy tính bảng demo)"
LINKED_COUNT = 40  # responses tied to a returned or resolved dossier
KIOSK_COUNT = 20  # general responses at the tablet
MONTHS = 6

GOOD_COMMENTS = (
    "Cán bộ hướng dẫn tận tình, dễ hiểu.",
    "Thủ tục nhanh gọn, nhận kết quả đúng hẹn.",
    "Nơi tiếp đón sạch sẽ, có nước uống.",
    "Được nhắn tin báo khi có kết quả, rất tiện.",
    "Cảm ơn chị ở quầy đã hỗ trợ điền tờ khai.",
)
COMPLAINTS = (
    "Phải đi lại nhiều lần mới nộp được hồ sơ.",
    "Thái độ kém, trả lời qua loa.",
    "Hồ sơ trễ hẹn mà không được báo trước.",
    "Chờ lâu, quầy chỉ có một người tiếp nhận.",
)
EXPECTATIONS = (
    "Mong có thêm ghế ngồi chờ vào buổi sáng.",
    "Nên có mẫu tờ khai điền sẵn để tham khảo.",
    "Mong được nộp hồ sơ trực tuyến cho thủ tục này.",
    "Đề nghị bố trí thêm người tiếp nhận giờ cao điểm.",
    "Nên có máy lấy số thứ tự.",
)
CLOSING_ACTIONS = (
    "Đã gọi điện xin lỗi công dân; nhắc nhở công chức trong cuộc họp giao ban.",
    "Đã bổ sung ghế ngồi chờ và mẫu tờ khai tại quầy.",
)


class _Demo:
    def __init__(self, *, agency, now: datetime):
        self.agency = agency
        self.now = now
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets
        users = User.objects.filter(
            username__in=[DESK_USERNAME, LEADER_USERNAME], department__agency=agency
        ).in_bulk(field_name="username")
        self.desk = users.get(DESK_USERNAME)
        self.leader = users.get(LEADER_USERNAME)
        self.survey = active_survey()
        self.questions = [q for c in self.survey.criteria.all() for q in c.questions.all()]
        self.options = list(self.survey.facility_options.all())

    # -- answers ---------------------------------------------------------------------------
    def _answers(self, *, mood: str) -> services.SurveyAnswers:
        """Scores and texts of one citizen: "happy" (4-5), "mixed" (3-5) or "unhappy" (a few
        1-2 among 2-4)."""
        rng = self.rng
        scores = {}
        for question in self.questions:
            if not question.is_required and rng.random() < 0.6:
                continue  # most citizens never sent feedback: they skip that question
            if mood == "happy":
                scores[question.pk] = rng.choice([4, 5, 5])
            elif mood == "mixed":
                scores[question.pk] = rng.choice([3, 4, 4, 5])
            else:
                scores[question.pk] = rng.choice([2, 3, 3, 4])
        if mood == "unhappy":
            for question in rng.sample(self.questions[:-1], 2):
                scores[question.pk] = rng.choice([1, 2])
        facilities = []
        if rng.random() < 0.35:
            facilities = [str(o.pk) for o in rng.sample(self.options, rng.choice([1, 1, 2]))]
        comment = ""
        if mood == "unhappy" or rng.random() < 0.08:
            comment = rng.choice(COMPLAINTS)
        elif rng.random() < 0.4:
            comment = rng.choice(GOOD_COMMENTS)
        expectation = rng.choice(EXPECTATIONS) if rng.random() < 0.3 else ""
        return services.SurveyAnswers(
            scores=scores, facility_option_ids=facilities, comment=comment, expectation=expectation
        )

    def _mood(self) -> str:
        return self.rng.choices(["happy", "mixed", "unhappy"], weights=[70, 22, 8])[0]

    # -- plan ------------------------------------------------------------------------------
    def run(self) -> int:
        start = self.now - timedelta(days=30 * MONTHS)
        tablet, _token = services.kiosk_enroll(user=self.desk, name=DEMO_TABLET, now=start)
        created = 0
        dossiers = list(
            Dossier.objects.filter(
                agency=self.agency,
                status__in=[DossierStatus.RETURNED, DossierStatus.RESOLVED],
                resolved_at__gte=start,
            )
            .select_related("agency", "procedure")
            .order_by("resolved_at", "id")
        )
        chosen = sorted(
            self.rng.sample(dossiers, min(LINKED_COUNT, len(dossiers))),
            key=lambda d: (d.resolved_at, d.pk),
        )
        sources = [ResponseSource.LINK, ResponseSource.QR, ResponseSource.QR, ResponseSource.LOOKUP]
        for dossier in chosen:
            base = dossier.returned_at or dossier.resolved_at
            at = min(base + timedelta(hours=self.rng.randint(1, 96)), self.now)
            services.invitation_for_dossier(dossier=dossier)
            services.response_submit(
                survey=self.survey,
                source=self.rng.choice(sources),
                answers=self._answers(mood=self._mood()),
                dossier=dossier,
                now=at,
            )
            created += 1
        moments = sorted(
            min(
                start
                + timedelta(
                    days=self.rng.randint(1, 30 * MONTHS - 1), hours=self.rng.randint(1, 8)
                ),
                self.now,
            )
            for _n in range(KIOSK_COUNT)
        )
        for at in moments:
            services.response_submit(
                survey=self.survey,
                source=ResponseSource.KIOSK,
                answers=self._answers(mood=self._mood()),
                kiosk=tablet,
                now=at,
            )
            created += 1
        self._close_old_follow_ups()
        return created

    def _close_old_follow_ups(self) -> None:
        """The leader has closed the follow-ups older than a month; recent ones stay open."""
        if self.leader is None:
            return
        old = FollowUp.objects.filter(
            response__agency=self.agency, opened_at__lt=self.now - timedelta(days=30)
        ).order_by("opened_at")
        for number, follow_up in enumerate(old):
            services.followup_close(
                follow_up=follow_up,
                user=self.leader,
                action_taken=CLOSING_ACTIONS[number % len(CLOSING_ACTIONS)],
                now=follow_up.opened_at + timedelta(days=self.rng.randint(1, 5)),
            )


def seed(*, agency, now: datetime | None = None) -> int:
    """Add the demo survey responses of `agency`; return how many were created, 0 if it already
    has responses, no demo desk officer or no active survey.

    Called by `manage.py seed_demo` after the demo dossiers. All in one transaction.
    """
    now = now or timezone.now()
    if Response.objects.filter(agency=agency).exists():
        return 0
    if KioskDevice.objects.filter(agency=agency, name=DEMO_TABLET).exists():
        return 0
    if active_survey() is None or not User.objects.filter(username=DESK_USERNAME).exists():
        return 0
    with transaction.atomic():
        return _Demo(agency=agency, now=now).run()
