"""Every page names its icon, a file of our static files: browsers otherwise ask for /favicon.ico, which is
a 404 logged as an error in the console of every page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static


@pytest.mark.django_db
def test_pages_link_an_icon_that_is_one_of_our_static_files(client):
    page = client.get("/dang-nhap/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert link is not None, "the base template links no icon"
    assert link.group(1) == static("baocao/favicon.svg")
    assert finders.find("baocao/favicon.svg")
