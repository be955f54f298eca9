from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DossierStatus(models.TextChoices):
    """Dossier status; the values are the national portal's sync codes (DOMAIN.md §3.7)."""

    SUBMITTED = "1", _("Submitted, not yet accepted")
    ACCEPTED = "2", _("Accepted")
    REFUSED = "3", _("Not accepted")
    PROCESSING = "4", _("Being processed")
    SUPPLEMENT_REQUESTED = "5", _("Waiting for additional documents")
    AWAITING_PAYMENT = "6", _("Waiting for fee payment")
    WITHDRAWN = "7", _("Withdrawn by the applicant")
    STOPPED = "8", _("Processing stopped")
    RESOLVED = "9", _("Result ready")
    RETURNED = "10", _("Result returned")


OPEN_STATUSES = frozenset(
    {
        DossierStatus.SUBMITTED,
        DossierStatus.ACCEPTED,
        DossierStatus.PROCESSING,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.AWAITING_PAYMENT,
    }
)
# The clock does not run in these states (DOMAIN.md §3.4, §3.6; payment pause is [U]).
PAUSED_STATUSES = frozenset({DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.AWAITING_PAYMENT})
# Processing is over: the time of reaching one of these ends the clock (§3.8).
FINISHED_STATUSES = frozenset(
    {
        DossierStatus.RESOLVED,
        DossierStatus.RETURNED,
        DossierStatus.STOPPED,
        DossierStatus.REFUSED,
        DossierStatus.WITHDRAWN,
    }
)


class ApplicantType(models.TextChoices):
    PERSON = "person", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class DocumentKind(models.TextChoices):
    """How a dossier component was handed in (receipt slip, DOMAIN.md §5.1)."""

    ORIGINAL = "original", _("Original")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    COPY = "copy", _("Copy")


class Timeliness(models.TextChoices):
    """DOMAIN.md §3.8: early = finished on a day before the due day; on time = by the due time."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Additional documents requested")
    PAYMENT = "payment", _("Fee payment requested")


class EventType(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    ASSIGNED = "assigned", _("Assigned")
    HANDED_OVER = "handed_over", _("Handed over")
    PROCESSING_STARTED = "processing_started", _("Processing started")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Additional documents requested")
    PAYMENT_REQUESTED = "payment_requested", _("Fee payment requested")
    RESUMED = "resumed", _("Processing resumed")
    RESCHEDULED = "rescheduled", _("Apology and new appointment")
    RESOLVED = "resolved", _("Result ready")
    PAPER_RESULT_RECEIVED = "paper_result_received", _("Paper result reached the desk")
    RETURNED = "returned", _("Result returned")
    STOPPED = "stopped", _("Processing stopped")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ATTACHMENT_ADDED = "attachment_added", _("Scan attached")
    UPDATED = "updated", _("Details corrected")


class TrafficLight(models.TextChoices):
    GREEN = "green", _("On track")
    AMBER = "amber", _("Due within 1 working day")
    RED = "red", _("Overdue")


# --- Explanations of late dossiers (giải trình; plan 645 section V, DOMAIN.md §3.5, §3.8) ------
class ExplanationStatus(models.TextChoices):
    """Where an officer's written explanation of a late dossier stands.

    requested -> submitted -> accepted, or submitted -> returned -> submitted ... -> accepted.
    """

    REQUESTED = "requested", _("To be written")
    SUBMITTED = "submitted", _("Waiting for review")
    ACCEPTED = "accepted", pgettext_lazy("explanation", "Accepted")
    RETURNED = "returned", _("Returned for changes")


class ExplanationReason(models.TextChoices):
    """Why the dossier was late, as one category for the weekly report's tally."""

    WORKLOAD = "workload", _("Too many dossiers at once")
    MISSING_COORDINATION = "missing_coordination", _("Slow coordination between units")
    WAITING_OTHER_AGENCY = "waiting_other_agency", _("Waiting for another agency's opinion")
    COMPLEX_CASE = "complex_case", _("Complex case (site check, appraisal)")
    SYSTEM_FAULT = "system_fault", _("Software or equipment fault")
    STAFF_ABSENCE = "staff_absence", _("Officer absent (leave, training, business trip)")
    OTHER = "other", _("Other reason")


class ExplanationEventType(models.TextChoices):
    REQUESTED = "requested", _("Explanation requested")
    SUBMITTED = "submitted", _("Explanation submitted")
    RETURNED = "returned", _("Explanation returned")
    ACCEPTED = "accepted", _("Explanation accepted")
