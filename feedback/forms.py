"""Forms of the feedback pages: parse and check shapes; the rules live in feedback.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Procedure

from .constants import Category, Channel, Classification, FeedbackKind, FeedbackStatus
from .services import FeedbackInput, SenderData


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [cleaned for item in items if item and (cleaned := single(item, initial))]


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FeedbackForm(forms.Form):
    """The Art. 7 fields, shared by the public form and the staff intake form."""

    kind = forms.ChoiceField(
        label=_("Type"),
        choices=FeedbackKind.choices,
        initial=FeedbackKind.FEEDBACK,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose feedback or petition.")},
    )
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("Choose…")), *Category.choices],
        error_messages={"required": _("Choose what your feedback is about.")},
    )
    procedure = ProcedureChoiceField(
        label=_("Related procedure (optional)"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("No particular procedure"),
        error_messages={"invalid_choice": _("Choose a procedure from the list.")},
    )
    dossier_code = forms.CharField(
        label=_("Related dossier code (optional)"),
        max_length=60,
        required=False,
        help_text=_("Printed on your receipt slip, if your feedback is about a dossier."),
        error_messages={"max_length": _("This code is too long.")},
    )
    content = forms.CharField(
        label=_("Content"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the problem clearly, in Vietnamese: what happened, where, when."),
        error_messages={"required": _("Describe your feedback clearly.")},
    )
    proposed_solution = forms.CharField(
        label=_("Proposed solution"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required for a petition: what should change?"),
    )
    sender_name = forms.CharField(
        label=_("Full name"),
        max_length=120,
        error_messages={
            "required": _("Enter your full name."),
            "max_length": _("Enter at most 120 characters."),
        },
    )
    sender_address = forms.CharField(
        label=_("Address"),
        max_length=255,
        error_messages={
            "required": _("Enter your address."),
            "max_length": _("Enter at most 255 characters."),
        },
    )
    sender_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        error_messages={
            "required": _("Enter a phone number we can call you on."),
            "max_length": _("This phone number is too long."),
        },
    )
    sender_email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter a valid email address, e.g. ten@example.com.")},
    )
    files = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
    )
    consent_processing = forms.BooleanField(
        label=_(
            "I agree that the agency processes the personal data in this form to handle my "
            "feedback (Decree 13/2023/NĐ-CP). It is never published."
        ),
        error_messages={
            "required": _(
                "We can only handle your feedback if you agree to the processing of your data."
            )
        },
    )
    consent_notices = forms.BooleanField(
        label=_("Send me updates about this feedback by SMS or email."),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.published().only("pk", "name")
        limit = settings.FEEDBACK_CONTENT_MAX_CHARS
        for name in ("content", "proposed_solution"):
            field = self.fields[name]
            field.widget.attrs["maxlength"] = str(limit)
            field.validators.append(MaxLengthValidator(limit))
            field.error_messages["max_length"] = _("Keep it under %(n)s characters.") % {"n": limit}
        self.fields["files"].help_text = _(
            "Up to %(n)s PDF, JPEG or PNG files, %(mb)s MB each."
        ) % {
            "n": settings.FEEDBACK_ATTACHMENT_MAX_FILES,
            "mb": settings.FEEDBACK_ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def to_input(self) -> FeedbackInput:
        data = self.cleaned_data
        return FeedbackInput(
            kind=data["kind"],
            category=data["category"],
            content=data["content"],
            proposed_solution=data.get("proposed_solution", ""),
            procedure=data.get("procedure"),
            dossier_code=data.get("dossier_code", ""),
            sender=SenderData(
                name=data["sender_name"],
                address=data["sender_address"],
                phone=data.get("sender_phone", ""),
                email=data.get("sender_email", ""),
            ),
            consent_processing=data.get("consent_processing", False),
            consent_notices=data.get("consent_notices", False),
            files=data.get("files", []),
        )


class PublicFeedbackForm(FeedbackForm):
    # Honeypot: hidden from people (CSS, aria-hidden, no tab stop); robots fill it in.
    website = forms.CharField(required=False, max_length=200)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Your form could not be sent. Please try again."))
        return ""


class IntakeForm(FeedbackForm):
    """Feedback an officer takes by phone (transcribed faithfully, Art. 7), at the desk or by
    post. The phone is optional for post: a postal address is enough (Art. 7)."""

    channel = forms.ChoiceField(
        label=_("Received"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.WEB],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    received_at = forms.DateTimeField(
        label=_("Received at (if not now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": _("Enter a date and time, e.g. 05/03/2026 09:30.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender_phone"].required = False
        self.fields["consent_processing"].label = _(
            "The sender was told how their data is used and agreed to its processing."
        )
        self.fields["consent_notices"].label = _("The sender wants updates by SMS or email.")
        self.fields["sender_name"].label = _("Sender's full name")
        self.fields["sender_address"].label = _("Sender's address")
        self.fields["sender_phone"].label = _("Sender's phone (optional for post)")

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("The date of receipt cannot be in the future."))
        return value


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write a note.")},
    )


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a classification.")},
    )
    refusal_reason = forms.CharField(
        label=_("Reason for not accepting"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ForwardForm(forms.Form):
    competent_body = forms.CharField(
        label=_("Competent body"),
        max_length=255,
        error_messages={"required": _("Name the competent body.")},
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Officer"),
        queryset=None,
        error_messages={
            "required": _("Choose an officer."),
            "invalid_choice": _("Choose an officer."),
        },
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class AnswerForm(forms.Form):
    answer_text = forms.CharField(
        label=_("Answer (the text of the reply letter)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the answer.")},
    )
    reply_number = forms.CharField(
        label=_("Letter number (optional)"),
        max_length=40,
        required=False,
        help_text=_("e.g. 12/VHTT-TL; left empty, the letter has a blank for the clerk."),
    )


class PublishForm(forms.Form):
    public_question = forms.CharField(
        label=_("Question as published"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Remove names, addresses, phone numbers and anything else that identifies someone."
        ),
        error_messages={"required": _("Write the question as it will be published.")},
    )
    public_answer = forms.CharField(
        label=_("Answer as published"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the answer as it will be published.")},
    )


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    thu_tuc = forms.CharField(label=_("Procedure"), required=False, max_length=20)
    linh_vuc = forms.IntegerField(
        label=_("Field"), required=False, min_value=1, max_value=2**31 - 1
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, register number or name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            *FeedbackStatus.choices,
        ],
    )
    category = forms.ChoiceField(
        label=_("About"), required=False, choices=[("", _("All")), *Category.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *FeedbackKind.choices]
    )
    assigned = forms.ChoiceField(
        label=_("Assigned"), required=False, choices=[("", _("Anyone")), ("me", _("To me"))]
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
