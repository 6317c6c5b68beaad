"""Times are shown in Asia/Ho_Chi_Minh, the users' clock: the finding was a conflict message saying 15:35
(UTC) where the user's clock said 22:35."""

import datetime

from django.contrib.auth.models import User
from django.urls import reverse

from baocao.collection.entry import form_fields
from baocao.collection.models import DataValue

FORM_ARGS = ["BM_TPLS_CA", "TPLS_CA", "202006"]
# 15:35 UTC on 14 June 2020 is 22:35 in Hà Nội (UTC+7).
SAVED_AT = datetime.datetime(2020, 6, 14, 15, 35, tzinfo=datetime.UTC)


def hs_vu(submission):
    return next(f for _, group in form_fields(submission) for f in group if f.indicator.code == "HS_VU")


def test_the_conflict_message_gives_the_time_on_the_users_clock(client, police):
    f = hs_vu(police)
    stale = f.version
    client.force_login(User.objects.get(username="ca.truong"))
    client.post(reverse("collection:autosave", args=FORM_ARGS), {f.key: "8", f"{f.key}_version": stale})
    DataValue.objects.filter(indicator__code="HS_VU", org_unit__code="TPLS_CA", period="202006").update(
        updated_at=SAVED_AT
    )
    client.force_login(User.objects.get(username="ca.canbo"))
    response = client.post(
        reverse("collection:autosave", args=FORM_ARGS), {f.key: "10", f"{f.key}_version": stale}
    )
    assert response.status_code == 409
    message = response.json()["conflict"]
    assert "lúc 22:35 14/06/2020" in message
    assert "15:35" not in message
