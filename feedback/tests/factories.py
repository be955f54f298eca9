"""Feedback test data, built through the same services the app uses.

`make_feedback(agency)` submits an item from the website; `state=` walks it through the
services to a later lifecycle state ("processing", "answered", "published", "refused",
"to_forward", "forwarded"). Distinctive sender values make personal-data leaks easy to spot.
"""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.constants import Role
from accounts.tests.factories import UserFactory
from feedback import services
from feedback.constants import Category, Classification, FeedbackKind
from feedback.services import FeedbackInput, SenderData

SENDER_NAME = "Trịnh Thị Xuyến Hoa"
SENDER_ADDRESS = "Số 77 đường Lê Thánh Tôn, phường Tân Lập"
SENDER_PHONE = "0912 345 678"
SENDER_PHONE_E164 = "+84912345678"
SENDER_EMAIL = "xuyenhoa.test@example.com"


class SenderFactory(factory.Factory):
    class Meta:
        model = SenderData

    name = SENDER_NAME
    address = SENDER_ADDRESS
    phone = SENDER_PHONE
    email = SENDER_EMAIL


class FeedbackInputFactory(factory.Factory):
    class Meta:
        model = FeedbackInput

    kind = FeedbackKind.FEEDBACK
    category = Category.PROCEDURE
    content = "Thời gian chờ cấp giấy phép karaoke quá lâu so với quy định."
    sender = factory.SubFactory(SenderFactory)
    proposed_solution = ""
    procedure = None
    dossier_code = ""
    consent_processing = True
    consent_notices = False
    files = factory.LazyFunction(list)


def staff(agency, role):
    user = UserFactory(department__agency=agency)
    user.groups.add(Group.objects.get(name=role))
    return user


def make_feedback(agency, *, state="received", leader=None, received_at=None, **fields):
    """An item submitted on the website, then moved to `state` by a leader through services."""
    data = FeedbackInputFactory(**fields)
    feedback = services.feedback_submit(agency=agency, data=data, received_at=received_at)
    if state == "received":
        return feedback
    leader = leader or staff(agency, Role.LEADER)
    if state == "refused":
        return services.feedback_classify(
            feedback=feedback,
            user=leader,
            classification=Classification.NOT_ACCEPTED,
            refusal_reason="Nội dung không rõ ràng.",
        )
    if state in ("to_forward", "forwarded"):
        feedback = services.feedback_classify(
            feedback=feedback, user=leader, classification=Classification.OUTSIDE
        )
        if state == "forwarded":
            feedback = services.feedback_forward(
                feedback=feedback, user=leader, competent_body="Sở Văn hóa và Thể thao"
            )
        return feedback
    feedback = services.feedback_classify(
        feedback=feedback, user=leader, classification=Classification.WITHIN
    )
    if state == "processing":
        return feedback
    feedback = services.feedback_answer(
        feedback=feedback,
        user=leader,
        answer_text=f"Kính gửi bà {SENDER_NAME}: hồ sơ được giải quyết trong 5 ngày làm việc.",
    )
    if state == "answered":
        return feedback
    return services.feedback_publish(
        feedback=feedback,
        user=leader,
        public_question=fields.get("content", FeedbackInputFactory.content),
        public_answer="Hồ sơ được giải quyết trong 5 ngày làm việc kể từ ngày nhận đủ hồ sơ.",
    )
