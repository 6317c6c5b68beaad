"""The admin, as the administrator of a new locality first sees it, has no English left in the labels Django,
DRF and our app configs used to leave untranslated (issue 16's operator walk)."""

import pytest
from django.contrib.auth.models import User

ENGLISH = (
    "Skip to main content",
    "Toggle theme",
    "Model name",
    "Add link",
    "Change or view list link",
    "Auth Token",
    ">Accounts<",
    ">Tokens<",
)


@pytest.mark.django_db
def test_admin_index_is_vietnamese(client):
    admin = User.objects.create_superuser("quantri", "quantri@example.gov.vn", "mat-khau-dai-du-0123")
    client.force_login(admin)
    page = client.get("/quan-tri/").content.decode()
    assert "Người dùng và vai trò" in page  # the accounts app under its own name
    assert "Khóa truy cập API" in page
    assert [text for text in ENGLISH if text in page] == []
