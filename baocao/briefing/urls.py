from django.urls import path

from baocao.briefing import views

app_name = "briefing"

urlpatterns = [
    path("", views.briefing_page, name="page"),
    path("tom-tat.pdf", views.briefing_pdf, name="pdf"),
    path("cong-van-chi-dao.docx", views.letter_docx, name="letter"),
]
