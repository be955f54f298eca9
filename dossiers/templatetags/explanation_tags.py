"""`{% explanation_counts as counts %}`: the explanation figures of the signed-in user (one
query), for the badge on the staff home page (selectors.explanation_counts)."""

from django import template

from dossiers import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def explanation_counts(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("dossiers.view_dossierexplanation"):
        return {"badge": 0, "to_write": 0, "to_review": 0, "to_write_late": 0}
    return selectors.explanation_counts(user=user)
