"""Forms of the survey pages: the questionnaire (built from the active survey version), the
code + phone entry, the kiosk's optional dossier code, and naming a tablet.

The forms only parse and word errors; satisfaction.services validates again (scores 1..5,
required questions) and decides.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from dossiers.lookup import CODE_MAX_LENGTH, normalize_code, normalize_last4

from .constants import SCORE_LABELS, SCORES
from .services import SurveyAnswers, question_field

SCORE_CHOICES = [(score, SCORE_LABELS[score]) for score in SCORES]


class SurveyForm(forms.Form):
    """One field per question (`q<id>`, 1..5 as radio buttons), the facility checklist, the
    comment and the expectation. `question_rows()` gives the template the questions in order
    with their bound fields. The honeypot field `website` is read by the views, not here."""

    survey_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Where the citizen came from (?nguon= of the link); anything unknown counts as the link.
    source = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    facilities = forms.MultipleChoiceField(
        label=_("What was missing or did not work at the desk?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Tick only the items of the list.")},
    )
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expectation = forms.CharField(
        label=_("What do you expect us to improve? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.fields["survey_version"].initial = survey.pk
        limit = settings.SATISFACTION_TEXT_MAX_CHARS
        for name in ("comment", "expectation"):
            self.fields[name].widget.attrs["maxlength"] = limit
            self.fields[name].validators.append(
                MaxLengthValidator(limit, message=_("Keep this under %(limit_value)d characters."))
            )
        self.fields["facilities"].choices = [
            (str(option.pk), option.label) for option in survey.facility_options.all()
        ]
        self.criteria = []
        for criterion in survey.criteria.all():
            rows = []
            for question in criterion.questions.all():
                name = question_field(question.pk)
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=SCORE_CHOICES,
                    coerce=int,
                    required=question.is_required,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Choose how satisfied you are, from 1 to 5."),
                        "invalid_choice": _(
                            "Choose one of the five levels: 1 (very dissatisfied) to 5 "
                            "(very satisfied)."
                        ),
                    },
                )
                rows.append((question, name))
            self.criteria.append((criterion, rows))

    @property
    def is_outdated(self) -> bool:
        """The page was filled in on a version that is no longer in use."""
        sent = self.data.get("survey_version", "") if self.is_bound else ""
        return bool(sent) and sent != str(self.survey.pk)

    def question_rows(self):
        """[(criterion, [(question, bound field), ...]), ...] for the template."""
        return [
            (criterion, [(question, self[name]) for question, name in rows])
            for criterion, rows in self.criteria
        ]

    def to_answers(self) -> SurveyAnswers:
        data = self.cleaned_data
        return SurveyAnswers(
            scores={
                question.pk: data.get(name)
                for _criterion, rows in self.criteria
                for question, name in rows
                if data.get(name) not in (None, "")
            },
            facility_option_ids=list(data.get("facilities") or []),
            comment=data.get("comment", ""),
            expectation=data.get("expectation", ""),
        )


class KioskSurveyForm(SurveyForm):
    """The survey at the desk, with an optional dossier code (never checked aloud)."""

    dossier_code = forms.CharField(
        label=_("Dossier code (optional)"),
        required=False,
        max_length=CODE_MAX_LENGTH * 2,
        help_text=_("Printed on your receipt slip. Leave it empty to rate the desk in general."),
    )

    def clean_dossier_code(self):
        # Whatever was typed is accepted: a code that leads nowhere gives a general response.
        return normalize_code(self.cleaned_data.get("dossier_code") or "") or ""


class EntryForm(forms.Form):
    """The dossier code and the last 4 digits of the phone, as on the look-up."""

    code = forms.CharField(
        label=_("Dossier code"),
        max_length=CODE_MAX_LENGTH * 2,
        help_text=_("Printed on your receipt slip, e.g. 000.00.20.H32-250815-0012."),
        error_messages={
            "required": _("Enter the dossier code printed on your receipt slip."),
            "max_length": _("This code is too long. Copy it from your receipt slip."),
        },
    )
    phone_last4 = forms.CharField(
        label=_("Last 4 digits of your phone number"),
        max_length=20,
        help_text=_("The phone number you gave when you submitted the dossier."),
        error_messages={
            "required": _("Enter the last 4 digits of your phone number."),
            "max_length": _("Enter only the last 4 digits of your phone number."),
        },
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "This is not a dossier code. A code looks like 000.00.20.H32-250815-0012: "
                    "copy it from your receipt slip."
                )
            )
        return code

    def clean_phone_last4(self):
        digits = normalize_last4(self.cleaned_data["phone_last4"])
        if digits is None:
            raise forms.ValidationError(
                _("Enter exactly 4 digits (0-9): the last 4 digits of your phone number.")
            )
        return digits


class KioskEnrollForm(forms.Form):
    name = forms.CharField(
        label=_("Tablet name"),
        max_length=100,
        help_text=_("Where it stands, e.g. “Quầy 1” or “Bàn chờ”."),
        error_messages={"required": _("Give the tablet a name, e.g. “Quầy 1”.")},
    )
