from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from baocao.analytics.views import figures_page

admin.site.site_header = "baocao – Quản trị hệ thống báo cáo"
admin.site.site_title = "baocao"
admin.site.index_title = "Danh mục và dữ liệu"

urlpatterns = [
    path("", figures_page, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("so-lieu/", include("baocao.collection.urls")),
    path("bao-cao/", include("baocao.reports.urls")),
    path("api/v1/", include("baocao.api.urls")),
    path("nhiem-vu/", include("baocao.assignments.urls")),
    path("chat-luong/", include("baocao.quality.urls")),
    path("tong-hop/", include("baocao.analytics.urls")),
    path("quan-tri/", admin.site.urls),
]
