from django.urls import path

from baocao.analytics import explorer_views, forecast_views, views, warnings_views

app_name = "analytics"

urlpatterns = [
    path("so-lieu-tong-hop/", views.figures_page, name="figures"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("tong-quan/chi-tieu/", views.dashboard_indicator, name="dashboard_indicator"),
    path("tong-quan/bieu-do/", views.dashboard_charts, name="dashboard_charts"),
    path("ho-chieu/", views.passport_page, name="passport"),  # a figure's passport
    path("kham-pha/", explorer_views.explorer_page, name="explorer"),
    path("kham-pha/tai.<str:fmt>", explorer_views.explorer_export, name="explorer_export"),
    path("canh-bao/", warnings_views.warnings_page, name="warnings"),
    path("canh-bao/bang-tom-tat/", warnings_views.warnings_panel, name="warnings_panel"),  # fragment
    path(
        "uoc-thuc-hien/<str:data_set>/<str:unit>/<str:period>/",
        forecast_views.accept_estimate,
        name="accept_estimate",
    ),
]
