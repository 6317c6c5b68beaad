import datetime
import os
from decimal import Decimal

from django import forms
from django.db import connection
from django.utils import formats, translation


def test_database_is_the_one_the_environment_asks_for(db):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_vietnamese_number_and_date_formats():
    with translation.override("vi"):
        assert (
            formats.number_format(Decimal("1234567.89"), 2, use_l10n=True, force_grouping=True)
            == "1.234.567,89"
        )
        field = forms.DateField(localize=True)
        assert field.clean("07/03/2025") == datetime.date(2025, 3, 7)
        decimal_field = forms.DecimalField(localize=True)
        assert decimal_field.clean("1.234.567,5") == Decimal("1234567.5")
