"""Forms of the desk and specialist screens: intake, the actions of the dossier page, scans.

Forms parse and check what was typed; the rules live in dossiers.services. A service's
ValidationError (a dict keyed by field) is put back next to the fields with
`add_service_errors`, so everything typed stays on the page.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.validators import normalize_vn_phone, validate_cccd
from procedures.constants import SubmissionChannel

from .constants import ApplicantType, DocumentKind, ExplanationReason, PauseKind
from .services import ApplicantData, DocumentData

MAX_SETS = 20
MAX_QUANTITY = 99
MAX_LINES = 30


def clean_text(value: str) -> str:
    """Drop control characters (NUL included: PostgreSQL cannot store it), keep new lines."""
    kept = (ch if ch in "\n\t" else (" " if ch == "\r" else ch) for ch in value or "")
    return "".join(ch for ch in kept if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def split_lines(value: str) -> list[str]:
    return [line.strip(" -•\t") for line in clean_text(value).splitlines() if line.strip(" -•\t")]


class TextField(forms.CharField):
    def to_python(self, value):
        return clean_text(super().to_python(value))


def textarea(rows=2, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


class ServiceErrorsMixin:
    """Map a service's ValidationError onto the form's fields (or the top of the form)."""

    # Service error key -> form field name, where they differ.
    service_fields: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.message_dict.items():
            name = self.service_fields.get(key, key)
            self.add_error(name if name in self.fields else None, errors)


# --- intake ----------------------------------------------------------------------------------
class Outcome:
    ACCEPT = "accept"
    REFUSE = "refuse"
    INCOMPLETE = "incomplete"
    choices = [
        (ACCEPT, _("Accept and print the receipt")),
        (REFUSE, _("Refuse")),
        (INCOMPLETE, _("Incomplete: print the guidance")),
    ]


def _default_kind(component) -> str:
    return DocumentKind.ORIGINAL if component.original_count else DocumentKind.COPY


class IntakeForm(ServiceErrorsMixin, forms.Form):
    """The desk's intake form for one procedure, with a row per dossier component.

    Every field is optional at field level; what each outcome needs is checked in `clean()`:
    accept needs the applicant and at least one document, refuse needs the reasons, incomplete
    needs the list of missing items and the reason (DOMAIN.md §3.2).
    """

    outcome = forms.ChoiceField(choices=Outcome.choices, required=False)
    applicant_type = forms.ChoiceField(
        label=_("Applicant"),
        choices=ApplicantType.choices,
        initial=ApplicantType.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = TextField(label=_("Full name"), max_length=255, required=False)
    organisation_name = TextField(label=_("Organisation"), max_length=255, required=False)
    applicant_id_number = TextField(
        label=_("Citizen ID number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = TextField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    applicant_address = TextField(label=_("Address"), max_length=255, required=False)
    consent_sms = forms.BooleanField(
        label=_("The applicant agrees to receive notices about this dossier by SMS"),
        required=False,
    )
    consent_email = forms.BooleanField(
        label=_("The applicant agrees to receive notices about this dossier by email"),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=SubmissionChannel.choices, initial=SubmissionChannel.IN_PERSON
    )
    set_count = forms.IntegerField(
        label=_("Number of sets"), min_value=1, max_value=MAX_SETS, initial=1
    )
    note = TextField(label=_("Note"), max_length=2000, required=False, widget=textarea(1))
    other_document = TextField(label=_("Other document"), max_length=500, required=False)
    other_kind = forms.ChoiceField(
        label=_("Form"), choices=DocumentKind.choices, initial=DocumentKind.COPY
    )
    other_quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )
    missing_items = TextField(
        label=_("Documents to add or correct (one per line)"),
        max_length=4000,
        required=False,
        widget=textarea(3),
    )
    reason = TextField(label=_("Reasons"), max_length=4000, required=False, widget=textarea(3))

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.components = list(procedure.components.all())
        self.rows = []
        for component in self.components:
            prefix = f"doc-{component.pk}"
            self.fields[f"{prefix}-received"] = forms.BooleanField(
                label=component.name, required=False
            )
            self.fields[f"{prefix}-kind"] = forms.ChoiceField(
                label=_("Form"), choices=DocumentKind.choices, initial=_default_kind(component)
            )
            self.fields[f"{prefix}-quantity"] = forms.IntegerField(
                label=_("Quantity"),
                min_value=1,
                max_value=MAX_QUANTITY,
                initial=max(1, component.original_count or component.copy_count or 1),
            )
        for component in self.components:
            prefix = f"doc-{component.pk}"
            self.rows.append(
                {
                    "component": component,
                    "received": self[f"{prefix}-received"],
                    "kind": self[f"{prefix}-kind"],
                    "quantity": self[f"{prefix}-quantity"],
                }
            )

    # -- field checks (formats; what is required depends on the outcome) ---------------------
    def clean_outcome(self):
        return self.cleaned_data.get("outcome") or Outcome.ACCEPT

    def clean_applicant_phone(self):
        value = self.cleaned_data["applicant_phone"]
        return normalize_vn_phone(value) if value else ""

    def clean_applicant_id_number(self):
        value = self.cleaned_data["applicant_id_number"]
        return validate_cccd(value) if value else ""

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome") or Outcome.ACCEPT
        required = ["applicant_name"]
        if outcome in (Outcome.ACCEPT, Outcome.REFUSE):
            required += ["applicant_phone", "applicant_address"]
            if data.get("applicant_type") == ApplicantType.ORGANISATION:
                required.append("organisation_name")
        if outcome in (Outcome.REFUSE, Outcome.INCOMPLETE):
            required.append("reason")
        if outcome == Outcome.INCOMPLETE:
            required.append("missing_items")
        messages = {
            "applicant_name": _("Enter the applicant's name."),
            "applicant_phone": _("Enter a phone number."),
            "applicant_address": _("Enter the applicant's address."),
            "organisation_name": _("Enter the organisation's name."),
            "reason": _("State the specific reasons."),
            "missing_items": _("List every document to add or correct, one per line."),
        }
        for name in required:
            if name not in self.errors and not data.get(name):
                self.add_error(name, messages[name])
        if (
            data.get("consent_email")
            and not data.get("applicant_email")
            and "applicant_email" not in self.errors
        ):
            self.add_error("applicant_email", _("Enter an email address to send email notices."))
        if outcome == Outcome.ACCEPT and not self.documents():
            self.add_error(None, _("Tick at least one document received."))
        if outcome == Outcome.INCOMPLETE and len(self.missing()) > MAX_LINES:
            self.add_error("missing_items", _("List at most 30 items."))
        return data

    # -- values for the services -------------------------------------------------------------
    @property
    def outcome_value(self) -> str:
        return self.cleaned_data.get("outcome") or Outcome.ACCEPT

    def documents(self) -> list[DocumentData]:
        data = self.cleaned_data
        documents = []
        for component in self.components:
            prefix = f"doc-{component.pk}"
            if data.get(f"{prefix}-received"):
                documents.append(
                    DocumentData(
                        name=component.name,
                        kind=data.get(f"{prefix}-kind") or _default_kind(component),
                        quantity=data.get(f"{prefix}-quantity") or 1,
                        component_id=component.pk,
                    )
                )
        if data.get("other_document"):
            documents.append(
                DocumentData(
                    name=data["other_document"],
                    kind=data.get("other_kind") or DocumentKind.COPY,
                    quantity=data.get("other_quantity") or 1,
                )
            )
        return documents

    def applicant(self) -> ApplicantData:
        data = self.cleaned_data
        return ApplicantData(
            name=data.get("applicant_name", ""),
            phone=data.get("applicant_phone", ""),
            address=data.get("applicant_address", ""),
            applicant_type=data.get("applicant_type") or ApplicantType.PERSON,
            organisation_name=data.get("organisation_name", ""),
            id_number=data.get("applicant_id_number", ""),
            email=data.get("applicant_email", ""),
            consent_sms=bool(data.get("consent_sms")),
            consent_email=bool(data.get("consent_email")),
        )

    def missing(self) -> list[str]:
        return split_lines(self.cleaned_data.get("missing_items", ""))

    service_fields = {"items": "missing_items"}


# --- actions on a dossier --------------------------------------------------------------------
class ActionForm(ServiceErrorsMixin, forms.Form):
    """Base of the dossier page's action forms; `dossier` is the row acted on."""

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.department is None:
            return str(obj)
        return f"{obj} · {obj.department}"


class AssignForm(ActionForm):
    handler = OfficerChoiceField(
        label=_("Specialist"), queryset=None, empty_label=_("Choose an officer")
    )
    note = TextField(label=_("Note"), max_length=2000, required=False, widget=textarea(2))

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = officers
        if self.dossier is not None and self.dossier.handler_id:
            self.fields["handler"].initial = self.dossier.handler_id


class SupplementForm(ActionForm):
    items = TextField(
        label=_("Documents to add or correct (one per line)"),
        max_length=4000,
        widget=textarea(3),
        error_messages={"required": _("List every document to add or correct.")},
    )
    reason = TextField(
        label=_("Reason"),
        max_length=4000,
        widget=textarea(2),
        error_messages={"required": _("State the reason.")},
    )
    legal_basis = TextField(label=_("Legal basis"), max_length=500, required=False)

    kind = PauseKind.SUPPLEMENT

    def clean_items(self):
        items = split_lines(self.cleaned_data["items"])
        if not items:
            raise ValidationError(_("List every document to add or correct."))
        if len(items) > MAX_LINES:
            raise ValidationError(_("List at most 30 items."))
        return items


class PaymentForm(ActionForm):
    reason = TextField(
        label=_("What is to be paid, and how much"),
        max_length=4000,
        widget=textarea(2),
        error_messages={"required": _("State the reason.")},
    )
    legal_basis = TextField(label=_("Legal basis"), max_length=500, required=False)

    kind = PauseKind.PAYMENT


class NoteForm(ActionForm):
    note = TextField(label=_("Note"), max_length=2000, required=False, widget=textarea(2))


class ConfirmForm(ActionForm):
    """An action with nothing to type."""


class RescheduleForm(ActionForm):
    reason = TextField(
        label=_("Reason for the delay"),
        max_length=4000,
        widget=textarea(2),
        error_messages={"required": _("State the reason for the delay.")},
    )
    new_due_on = forms.DateField(
        label=_("New appointment date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Choose the new date.")},
    )
    signed_by = TextField(label=_("Signed by"), max_length=255, required=False)

    service_fields = {"new_due_at": "new_due_on"}


class ReasonForm(ActionForm):
    reason = TextField(
        label=_("Reason"),
        max_length=4000,
        widget=textarea(2),
        error_messages={"required": _("State the reason.")},
    )


# --- files -----------------------------------------------------------------------------------
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def validate_scan(uploaded):
    """Size limit and real type (magic bytes, not the name): PDF, JPEG or PNG."""
    limit = settings.DOSSIER_ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (maximum %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
        )
    head = uploaded.read(16)
    uploaded.seek(0)
    content_type = next((t for sig, t in _SIGNATURES.items() if head.startswith(sig)), None)
    if content_type not in settings.DOSSIER_ATTACHMENT_TYPES:
        raise ValidationError(_("Only PDF, JPEG or PNG scans are accepted."))


def _file_input():
    return forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})


class ResolveForm(ActionForm):
    result_summary = TextField(
        label=_("Result (number and date of the document issued)"),
        max_length=4000,
        required=False,
        widget=textarea(2),
    )
    result_file = forms.FileField(
        label=_("Electronic result (optional)"),
        required=False,
        validators=[validate_scan],
        widget=_file_input(),
    )


class AttachmentForm(ServiceErrorsMixin, forms.Form):
    # Size and real type are checked by services.dossier_attach (errors come back on "file").
    file = forms.FileField(
        label=_("Scan (PDF, JPEG or PNG)"),
        widget=_file_input(),
        error_messages={"required": _("Choose a file to attach.")},
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier


# --- explanations of late dossiers -----------------------------------------------------------
# Nothing is required here: services.explanation_submit / explanation_return check the input
# and their ValidationError comes back next to the fields, with everything typed kept.
class ExplanationForm(ServiceErrorsMixin, forms.Form):
    reason_category = forms.ChoiceField(
        label=_("Main reason for the delay"),
        choices=[("", "—"), *ExplanationReason.choices],
        required=False,
    )
    text = TextField(
        label=_("What happened"),
        required=False,
        widget=textarea(6),
        help_text=_("The steps the dossier went through and why the time was not enough."),
    )
    remedy = TextField(
        label=_("Remedy"),
        required=False,
        widget=textarea(3),
        help_text=_("What you will do, and by when, so that it does not happen again."),
    )


class ExplanationReviewForm(ServiceErrorsMixin, forms.Form):
    note = TextField(
        label=_("Note to the officer"),
        required=False,
        widget=textarea(3),
        help_text=_("Required to return the explanation: say what to correct or add."),
    )
