from django.urls import path

from . import calendar_views, views
from .notices import views as notice_views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("can-bo/", views.staff_home, name="staff-home"),
    path("can-bo/lich-lam-viec/", calendar_views.calendar_year, name="calendar-year"),
    path("sap-ra-mat/<slug:feature>/", views.coming_soon, name="coming-soon"),
    path("can-bo/thong-bao/mau/", notice_views.notice_templates, name="notice-templates"),
    path("can-bo/thong-bao/<int:pk>/gui-lai/", notice_views.notice_retry, name="notice-retry"),
    path("thong-bao/sms/bao-nhan/", notice_views.sms_delivery_receipt, name="sms-receipt"),
]
