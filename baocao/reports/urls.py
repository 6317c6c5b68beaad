from django.urls import path

from baocao.reports import archive_views, verify_views, views, withdrawal_views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("tao/", views.run_create, name="create"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/word/", views.run_docx, name="docx"),
    path("<int:pk>/pdf/", views.run_pdf, name="pdf"),
    path("<int:pk>/ban-hanh/", views.run_issue, name="issue"),
    path("<int:pk>/ky-so/", views.run_sign, name="sign"),
    path("<int:pk>/ky-so/<slug:part>.pdf", views.run_signed_file, name="signed_file"),
    path("kiem-tra-chu-ky/", verify_views.verify_page, name="verify"),
    path("nhap-bao-cao-cu/", archive_views.archive_page, name="archive"),
    path("<int:pk>/thu-hoi/", withdrawal_views.run_withdraw, name="withdraw"),
    path("pdf/<int:pk>/", views.pdf_job, name="pdf_job"),
    path("pdf/<int:pk>/tai/", views.pdf_job_download, name="pdf_job_download"),
    path("mau/", views.templates_page, name="templates"),
    path("mau/<int:pk>/khung/", views.frame_download, name="frame"),
    path("mau/<int:pk>/khung/tai-len/", views.frame_upload, name="frame_upload"),
]
