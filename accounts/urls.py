from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.StaffLoginView.as_view(), name="login"),
    path("dang-xuat/", views.StaffLogoutView.as_view(), name="logout"),
]
