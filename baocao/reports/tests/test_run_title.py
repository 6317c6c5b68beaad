"""A report's title joins its type's name and its period without repeating the period word."""

from django.urls import reverse

from baocao.reports.models import ReportRun


def test_the_report_page_does_not_say_thang_thang(client_as):
    run = ReportRun.objects.select_related("report_type").get(period="202006")
    assert run.report_type.name.endswith(" tháng")  # the demo's name: "... quốc phòng - an ninh tháng"
    page = client_as("vanphong").get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert f"<h1>{run.report_type.name} 6/2020</h1>" in page
    assert "tháng tháng" not in page


def test_a_name_without_the_period_word_gets_the_label_after_a_dash(client_as):
    run = ReportRun.objects.select_related("report_type").get(period="202006")
    run.report_type.name = "Báo cáo kinh tế - xã hội"
    assert run.title == "Báo cáo kinh tế - xã hội – tháng 6/2020"
    run.period = "2020Q2"
    run.report_type.name = "Báo cáo kinh tế - xã hội quý"
    assert run.title == "Báo cáo kinh tế - xã hội quý II/2020"
