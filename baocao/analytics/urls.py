from django.urls import path

from baocao.analytics import explorer_views, views

app_name = "analytics"

urlpatterns = [
    path("so-lieu-tong-hop/", views.figures_page, name="figures"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("tong-quan/chi-tieu/", views.dashboard_indicator, name="dashboard_indicator"),
    path("tong-quan/bieu-do/", views.dashboard_charts, name="dashboard_charts"),
    path("kham-pha/", explorer_views.explorer_page, name="explorer"),
    path("kham-pha/tai.<str:fmt>", explorer_views.explorer_export, name="explorer_export"),
]
