"""REST API v1 (/api/v1/): resources by router, the bulk dataValueSets, periods, and the OpenAPI schema."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from baocao.api import views

app_name = "api"

router = DefaultRouter()
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("data-sets", views.DataSetViewSet, basename="data-set")
router.register("targets", views.TargetViewSet, basename="target")
router.register("data-values", views.DataValueViewSet, basename="data-value")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("report-types", views.ReportTypeViewSet, basename="report-type")
router.register("report-runs", views.ReportRunViewSet, basename="report-run")
router.register("pdf-jobs", views.PdfJobViewSet, basename="pdf-job")

urlpatterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("periods/<str:period>/", views.PeriodView.as_view(), name="period"),
    path("data-value-sets/", views.DataValueSetView.as_view(), name="data-value-sets"),
    path("", include(router.urls)),
]
