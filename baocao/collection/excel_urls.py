"""Excel round trip of a unit's data set (included under /so-lieu/excel/, namespace "collection")."""

from django.urls import path

from baocao.collection import excel_views

FORM = "<str:data_set>/<str:unit>/<str:period>/"

urlpatterns = [
    path(FORM + "tai-ve/", excel_views.excel_download, name="excel_download"),
    path(FORM + "tai-len/", excel_views.excel_upload, name="excel_upload"),
]
