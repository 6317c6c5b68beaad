from django.urls import path

from baocao.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/mo/", views.open_notice, name="open"),
    path("da-doc-het/", views.read_all, name="read_all"),
    path("cai-dat/", views.settings_page, name="settings"),
]
