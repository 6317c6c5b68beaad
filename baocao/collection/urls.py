from django.urls import include, path

from baocao.collection import narrative_views, review_views, views

app_name = "collection"

FORM = "<str:data_set>/<str:unit>/<str:period>/"

urlpatterns = [
    path("nhap/", views.my_forms, name="my_forms"),
    path("nhap/" + FORM, views.entry, name="entry"),
    path("nhap/" + FORM + "luu/", views.autosave, name="autosave"),
    path("nhap/" + FORM + "lich-su/", views.submission_history, name="submission_history"),
    path(
        "lich-su/<str:indicator>/<str:unit>/<str:period>/<str:kind>/",
        views.value_history,
        name="value_history",
    ),
    path("noi-dung/<str:unit>/<str:period>/", narrative_views.contributions, name="contributions"),
    path(
        "noi-dung/<str:unit>/<str:period>/nhan-dien/",
        narrative_views.recognise_numbers,
        name="narrative_recognise",
    ),
    path(
        "noi-dung/<str:unit>/<str:period>/lich-su/", views.contribution_history, name="contribution_history"
    ),
    path("tiep-nhan/", review_views.review, name="review"),
    path("tiep-nhan/xu-ly-nhieu/", review_views.review_bulk, name="review_bulk"),
    path("excel/", include("baocao.collection.excel_urls")),
]
