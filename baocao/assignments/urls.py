from django.urls import path

from baocao.assignments import explanation_views, views

app_name = "assignments"

urlpatterns = [
    path("", views.my_tasks, name="mine"),
    path("giao/", views.new_task, name="new"),
    path("giai-trinh/", explanation_views.new_explanation, name="explain"),
    path("<int:pk>/", views.task_detail, name="task"),
    path("<int:pk>/tien-do/", views.add_progress, name="progress"),
    path("<int:pk>/hoan-thanh/", views.complete, name="complete"),
    path("<int:pk>/gia-han/", views.extend, name="extend"),
    path("hoan-thanh/<int:pk>/tra-lai/", views.return_completion, name="return"),
    path("minh-chung/<int:pk>/", views.evidence, name="evidence"),
    path("tong-hop/", views.summary, name="summary"),
    path("tong-hop/<str:period>/excel/", views.summary_xlsx, name="summary_xlsx"),
    path("tong-hop/<str:period>/<str:unit>/", views.drill_down, name="drill_down"),
    path("nhap-excel/", views.import_tasks, name="import"),
    path("nhap-excel/mau.xlsx", views.import_template, name="import_template"),
]
