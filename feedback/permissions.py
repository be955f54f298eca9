"""Row visibility for feedback: one policy used by views, selectors and the admin.

- Users with `feedback.view_all_feedback` (desk officers, leaders, administrators) see every
  item of their own agency.
- Other staff with `feedback.view_feedback` (specialists) see the items assigned to them.
Code checks permissions, never group names. "Missing" and "forbidden" look the same (404).
"""

from django.http import Http404

from .models import Feedback


class FeedbackNotFound(Http404):
    """An item that does not exist or that the user may not see or act on."""


def _agency_id(user):
    department = getattr(user, "department", None)
    return department.agency_id if department else None


def visible_feedback(user, queryset=None):
    queryset = Feedback.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.has_perm("feedback.view_feedback"):
        return queryset.none()
    agency_id = _agency_id(user)
    if agency_id is None:
        return queryset.none()
    queryset = queryset.filter(agency_id=agency_id)
    if user.has_perm("feedback.view_all_feedback"):
        return queryset
    return queryset.filter(assigned_to=user)


def can_act(user, feedback) -> bool:
    """Whether the user may act on this row at all (the action's permission is checked too)."""
    if user.is_superuser:
        return True
    if _agency_id(user) != feedback.agency_id:
        return False
    return user.has_perm("feedback.view_all_feedback") or feedback.assigned_to_id == user.pk
