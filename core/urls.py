from django.urls import path

from . import calendar_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("can-bo/", views.staff_home, name="staff-home"),
    path("can-bo/lich-lam-viec/", calendar_views.calendar_year, name="calendar-year"),
    path("sap-ra-mat/<slug:feature>/", views.coming_soon, name="coming-soon"),
]
