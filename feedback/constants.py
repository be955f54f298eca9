"""Choices of the feedback app (phản ánh, kiến nghị: Decree 20/2008/NĐ-CP, DOMAIN.md §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeedbackKind(models.TextChoices):
    """Art. 3: a petition (kiến nghị) is feedback (phản ánh) plus a proposed solution."""

    FEEDBACK = "feedback", pgettext_lazy("feedback kind", "Feedback")
    PETITION = "petition", pgettext_lazy("feedback kind", "Petition")


class Category(models.TextChoices):
    """What the item is about: the classes of the national index, indicator 5.1 [S]."""

    REGULATION = "regulation", _("An administrative regulation")
    PROCEDURE = "procedure", _("An administrative procedure")
    CONDUCT = "conduct", _("The conduct of an official")
    OTHER = "other", _("Something else")


class Channel(models.TextChoices):
    """Art. 6-7: written (website, desk, post) or by telephone on the published number."""

    WEB = "web", _("Website")
    DESK = "desk", _("At the desk")
    PHONE = "phone", _("Telephone")
    POST = "post", _("Post")


class Classification(models.TextChoices):
    """Art. 9(4): the four outcomes of studying a received item."""

    NOT_ACCEPTED = "not_accepted", _("Not accepted (does not meet Art. 7)")
    CONDUCT = "conduct", _("Concerns officials' conduct (transfer)")
    WITHIN = "within", _("Within our competence")
    OUTSIDE = "outside", _("Outside our competence (forward)")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    NEEDS_INFO = "needs_info", _("More information requested")
    TO_FORWARD = "to_forward", _("To be forwarded")
    PROCESSING = "processing", _("Being handled")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    REFUSED = "refused", _("Not accepted")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Answered and published")


# Statuses in which the agency still owes the sender something.
OPEN_STATUSES = (
    FeedbackStatus.RECEIVED,
    FeedbackStatus.NEEDS_INFO,
    FeedbackStatus.TO_FORWARD,
    FeedbackStatus.PROCESSING,
    FeedbackStatus.ANSWERED,
)
# Statuses in which the handling decision is made (the on-time rate counts these).
DECIDED_STATUSES = (
    FeedbackStatus.REFUSED,
    FeedbackStatus.FORWARDED,
    FeedbackStatus.ANSWERED,
    FeedbackStatus.PUBLISHED,
)


class EventType(models.TextChoices):
    SUBMITTED = "submitted", _("Received and registered")
    INFO_REQUESTED = "info_requested", _("More information requested")
    INFO_RECEIVED = "info_received", _("Information received")
    CLASSIFIED = "classified", _("Classified")
    FORWARDED = "forwarded", _("Forwarded")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Withdrawn from the archive")
    ATTACHMENT_ADDED = "attachment_added", _("File attached")
