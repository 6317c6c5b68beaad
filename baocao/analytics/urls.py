from django.urls import path

from baocao.analytics import views

app_name = "analytics"

urlpatterns = [
    path("so-lieu-tong-hop/", views.figures_page, name="figures"),
]
