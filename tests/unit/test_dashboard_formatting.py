"""Numbers on the dashboard as people read them (dashboard/formatting.py)."""

from decimal import Decimal

import pytest

from dashboard import formatting


@pytest.mark.parametrize(
    ("format_", "value", "text"),
    [
        pytest.param(formatting.count, 1234567, "1,234,567", id="count-thousands"),
        pytest.param(formatting.count, 41.6, "42", id="count-rounds"),
        pytest.param(formatting.count, None, "–", id="count-missing"),
        pytest.param(formatting.percent, 12.345, "12.3 %", id="percent"),
        pytest.param(formatting.percent, float("nan"), "–", id="percent-nan"),
        pytest.param(formatting.share, 0.0714, "7.1 %", id="share"),
        pytest.param(formatting.brl, Decimal("13433.90"), "R$ 13.433,90", id="brl"),
        pytest.param(formatting.brl, 1234567.8, "R$ 1.234.567,80", id="brl-millions"),
        pytest.param(formatting.brl, Decimal("0.005"), "R$ 0,01", id="brl-half-cent-up"),
        pytest.param(formatting.brl, None, "–", id="brl-missing"),
        pytest.param(formatting.hours, 18.04, "18.0 h", id="hours"),
        pytest.param(formatting.duration, 4.26, "4.3 s", id="seconds"),
        pytest.param(formatting.duration, 75.2, "1 min 15 s", id="minutes"),
    ],
)
def test_numbers_read_as_people_write_them(format_, value, text):
    assert format_(value) == text
