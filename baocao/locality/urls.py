"""The administrator's bundle page, mounted at ``/dia-phuong/`` (baocao/urls.py)."""

from django.urls import path

from baocao.locality import views

app_name = "locality"

urlpatterns = [
    path("", views.index, name="index"),
    path("chay-thu/", views.check, name="check"),
    path("ap-dung/", views.apply, name="apply"),
    path("tai-ve/", views.export, name="export"),
]
