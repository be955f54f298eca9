"""Template helpers of the feedback pages.

- `{% field_row form.field attr=value ... %}`: label, widget with Bootstrap classes and ARIA,
  hint and errors (feedback/partials/field.html).
- `{% procedure_questions procedure %}`: the published answers about a procedure, as questions
  and answers, for the procedure's page (one bounded query).
"""

from django import forms, template
from django.template.loader import render_to_string

from .. import selectors

register = template.Library()


@register.simple_tag
def field_row(field, **attrs):
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        css = "form-select"
    elif isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        css = "form-check-input"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
        attrs["aria-invalid"] = "true"
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}-hint")
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if "type" in attrs:
        widget = field.field.widget
        widget.input_type = attrs.pop("type")
    attrs["class"] = css
    html = field.as_widget(attrs=attrs)
    return render_to_string("feedback/partials/field.html", {"field": field, "widget_html": html})


@register.inclusion_tag("feedback/partials/procedure_questions.html")
def procedure_questions(procedure):
    return {
        "procedure": procedure,
        "items": selectors.procedure_questions(procedure=procedure),
    }
