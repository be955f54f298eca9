"""Routes of the leadership side of the satisfaction app (index, export, follow-ups, public
summary), spliced into satisfaction/urls.py (namespace "satisfaction", full paths from the site
root) before the survey link `danh-gia/<token>/`."""

from django.urls import path

from . import views_public_summary, views_staff

urlpatterns = [
    # Public (no login): aggregates only.
    path("danh-gia/ket-qua/", views_public_summary.public_summary, name="public-summary"),
    # Staff: the index, its Excel export, the follow-ups of low scores and complaints.
    path("can-bo/danh-gia/", views_staff.index, name="index"),
    path("can-bo/danh-gia/chi-so.xlsx", views_staff.index_export, name="index-export"),
    path("can-bo/danh-gia/theo-doi/", views_staff.followup_list, name="followup-list"),
    path("can-bo/danh-gia/theo-doi/<int:pk>/", views_staff.followup_detail, name="followup-detail"),
    path(
        "can-bo/danh-gia/theo-doi/<int:pk>/<slug:action>/",
        views_staff.followup_action,
        name="followup-action",
    ),
]
