from django.urls import path

from . import dashboard_views
from . import views as weekly_views

app_name = "reports"

# Weekly report routes (can-bo/bao-cao-tuan/...) and dashboard routes (can-bo/dieu-hanh/...).
urlpatterns: list = [
    # Weekly late-dossier report: snapshots, one snapshot, its files, "Build now" (POST).
    path("can-bo/bao-cao-tuan/", weekly_views.weekly_report_list, name="weekly-report-list"),
    path(
        "can-bo/bao-cao-tuan/lap/", weekly_views.weekly_report_build_now, name="weekly-report-build"
    ),
    path(
        "can-bo/bao-cao-tuan/<int:pk>/",
        weekly_views.weekly_report_detail,
        name="weekly-report-detail",
    ),
    path(
        "can-bo/bao-cao-tuan/<int:pk>/bao-cao.xlsx",
        weekly_views.weekly_report_download,
        {"fmt": "xlsx"},
        name="weekly-report-xlsx",
    ),
    path(
        "can-bo/bao-cao-tuan/<int:pk>/bao-cao.pdf",
        weekly_views.weekly_report_download,
        {"fmt": "pdf"},
        name="weekly-report-pdf",
    ),
    # Leadership dashboard: figures at a glance, each linked to its dossiers; CSV / Excel.
    path("can-bo/dieu-hanh/", dashboard_views.dashboard_page, name="dashboard"),
    path(
        "can-bo/dieu-hanh/so-lieu.csv",
        dashboard_views.dashboard_export,
        {"fmt": "csv"},
        name="dashboard-csv",
    ),
    path(
        "can-bo/dieu-hanh/so-lieu.xlsx",
        dashboard_views.dashboard_export,
        {"fmt": "xlsx"},
        name="dashboard-xlsx",
    ),
]
