from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("can-bo/", views.staff_home, name="staff-home"),
    path("sap-ra-mat/<slug:feature>/", views.coming_soon, name="coming-soon"),
]
