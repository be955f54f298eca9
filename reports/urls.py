from django.urls import path  # noqa: F401

app_name = "reports"

# Weekly report routes (can-bo/bao-cao-tuan/...) and dashboard routes (can-bo/dieu-hanh/...).
urlpatterns: list = []
