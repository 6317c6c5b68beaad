from django.urls import path

from baocao.audit import views

app_name = "audit"

urlpatterns = [path("", views.verification, name="verification")]
