from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from baocao.analytics.views import dashboard

admin.site.site_header = "baocao – Quản trị hệ thống báo cáo"
admin.site.site_title = "baocao"
admin.site.index_title = "Danh mục và dữ liệu"

urlpatterns = [
    path("", dashboard, name="home"),  # the leaders' dashboard; the figures table: analytics:figures
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(  # a bundle's new users set their first password here (baocao.locality: no passwords in files)
        "dat-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_set.html", success_url=reverse_lazy("login")
        ),
        name="password_set",
    ),
    path("so-lieu/", include("baocao.collection.urls")),
    path("bao-cao/", include("baocao.reports.urls")),
    path("api/v1/", include("baocao.api.urls")),
    path("nhiem-vu/", include("baocao.assignments.urls")),
    path("chat-luong/", include("baocao.quality.urls")),
    path("tong-hop/", include("baocao.analytics.urls")),
    path("tom-tat/", include("baocao.briefing.urls")),  # the leader's monthly briefing
    path("thong-bao/", include("baocao.notifications.urls")),  # the inbox and its preference
    path("tim-kiem/", include("baocao.search.urls")),  # the header's search
    path("kiem-toan/", include("baocao.audit.urls")),  # the audit chain's verification page
    path("dia-phuong/", include("baocao.locality.urls")),  # the administrator's bundle page
    path("quan-tri/", admin.site.urls),
]
