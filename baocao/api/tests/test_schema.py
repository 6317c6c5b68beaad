"""The committed OpenAPI schema (baocao/api/openapi.yaml) must match the code."""

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[1] / "openapi.yaml"
UPDATE = ".venv/bin/python manage.py spectacular --file baocao/api/openapi.yaml --validate"


def test_committed_schema_matches_the_code(tmp_path, db):
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(fresh), "--validate", "--fail-on-warn")
    assert fresh.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"Lược đồ OpenAPI đã thay đổi so với bản lưu trong kho. Cập nhật bằng lệnh: {UPDATE}"
    )


def test_the_schema_is_served(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader"))
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/data-value-sets/" in response.content
