from django.urls import path

from baocao.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.validation_report, name="report"),
    path("quy-tac/", views.rule_list, name="rules"),
]
