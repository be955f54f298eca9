"""Row visibility for dossiers: one policy used by views, selectors and the admin.

- Users with `dossiers.view_all_dossiers` (desk officers, leaders, administrators) see every
  dossier of their own agency.
- Other staff (specialists) see the dossiers they handle or handled.
Code checks permissions, never group names. "Missing" and "forbidden" look the same (404).
"""

from django.db.models import Q
from django.http import Http404

from .models import Dossier, DossierExplanation


class DossierNotFound(Http404):
    """Raised for a dossier that does not exist or that the user may not see or act on."""


def _agency_id(user):
    department = getattr(user, "department", None)
    return department.agency_id if department else None


def visible_dossiers(user, queryset=None):
    queryset = Dossier.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    agency_id = _agency_id(user)
    if agency_id is None:
        return queryset.none()
    queryset = queryset.filter(agency_id=agency_id)
    if user.has_perm("dossiers.view_all_dossiers"):
        return queryset
    return queryset.filter(Q(handler=user) | Q(transfers__receiver=user)).distinct()


def can_view(user, dossier) -> bool:
    return visible_dossiers(user, Dossier.objects.filter(pk=dossier.pk)).exists()


def can_act(user, dossier) -> bool:
    """Whether the user may act on this row at all (the action's permission is checked too)."""
    if user.is_superuser:
        return True
    if _agency_id(user) != dossier.agency_id:
        return False
    return user.has_perm("dossiers.view_all_dossiers") or dossier.handler_id == user.pk


# --- explanations of late dossiers ------------------------------------------------------------
# - `dossiers.view_dossierexplanation` is needed to see any explanation.
# - Reviewers (`dossiers.review_dossierexplanation`: leaders, administrators) see every
#   explanation of their agency; everyone else sees only the ones they must write.
# - The officer writes their own (`dossiers.submit_dossierexplanation`); a reviewer may write one
#   on the officer's behalf (the history records who did). Reviewers accept or return.
class ExplanationNotFound(Http404):
    """Raised for an explanation that does not exist or that the user may not see."""


def visible_explanations(user, queryset=None):
    queryset = DossierExplanation.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    agency_id = _agency_id(user)
    if agency_id is None or not user.has_perm("dossiers.view_dossierexplanation"):
        return queryset.none()
    queryset = queryset.filter(dossier__agency_id=agency_id)
    if user.has_perm("dossiers.review_dossierexplanation"):
        return queryset
    return queryset.filter(officer=user)


def can_view_explanation(user, explanation) -> bool:
    """The same rule as `visible_explanations`, for a row already loaded (no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("dossiers.view_dossierexplanation"):
        return False
    if _agency_id(user) != explanation.dossier.agency_id:
        return False
    return user.has_perm("dossiers.review_dossierexplanation") or explanation.officer_id == user.pk


def can_submit_explanation(user, explanation) -> bool:
    """The officer themselves, or a reviewer on the officer's behalf."""
    if not can_view_explanation(user, explanation):
        return False
    if user.has_perm("dossiers.review_dossierexplanation"):
        return True
    return explanation.officer_id == user.pk and user.has_perm("dossiers.submit_dossierexplanation")


def can_review_explanation(user, explanation) -> bool:
    """Reviewers of the agency, but nobody reviews an explanation of their own."""
    return (
        can_view_explanation(user, explanation)
        and user.has_perm("dossiers.review_dossierexplanation")
        and explanation.officer_id != user.pk
    )
