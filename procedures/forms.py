"""The public catalogue's search form: `?q=`, `?field=`, `?online=`.

Whatever arrives in the query string, the page renders: control characters (NUL included) are
dropped before validation, and a value that does not validate is ignored on its own while the
others still apply; the view tells the citizen what was ignored.
"""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import OnlineLevel
from .querysets import MAX_QUERY_LENGTH


def strip_control_characters(value: str) -> str:
    """Drop NUL and other control characters (Unicode category Cc/Cs) and trim the ends.

    PostgreSQL cannot store or compare a NUL, and no one types a control character on purpose.
    """
    kept = (" " if ch in "\t\n\r" else ch for ch in value)
    return "".join(ch for ch in kept if unicodedata.category(ch) not in {"Cc", "Cs"}).strip()


class SearchTextField(forms.CharField):
    def to_python(self, value):
        return strip_control_characters(super().to_python(value))


class CatalogueSearchForm(forms.Form):
    q = SearchTextField(
        label=_("Procedure name, code or keyword"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Your search was too long (more than %(limit_value)d characters) and has been "
                "ignored. Please use a few keywords."
            )
        },
    )
    field = forms.ChoiceField(
        label=_("Field"),
        required=False,
        error_messages={
            "invalid_choice": _("The field you chose does not exist and has been ignored.")
        },
    )
    online = forms.ChoiceField(
        label=_("Online service"),
        required=False,
        choices=[("", _("Any"))] + list(OnlineLevel.choices),
        error_messages={
            "invalid_choice": _("The online service level you chose is unknown and was ignored.")
        },
    )

    def __init__(self, *args, fields, **kwargs):
        """`fields`: the Field rows to offer (procedures.selectors.field_choices())."""
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields"))] + [(f.code, f.name) for f in fields]

    def search_values(self) -> dict[str, str]:
        """The valid values only (an invalid one counts as empty), as keyword arguments for
        procedures.selectors.procedure_list."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "field": data.get("field") or "",
            "online_level": data.get("online") or "",
        }

    def ignored_messages(self) -> list[str]:
        """One message per ignored parameter, for the citizen."""
        self.is_valid()
        return [str(error) for errors in self.errors.values() for error in errors]
