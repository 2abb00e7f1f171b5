"""`ripple summary`'s checks (ingest/commands/summary.py): a backfill filter is one boolean
expression over the source's own columns, and months are months."""

from __future__ import annotations

import pytest

from ingest.commands.summary import validate_filter, validate_month
from ingest.errors import RippleError

COLUMNS = {"cons_acct_key", "rpt_as_of_mo", "account_status", "balance_am"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cons_acct_key < 1000", "cons_acct_key < 1000"),
        ("cons_acct_key = 5 and account_status <> 'closed'", "cons_acct_key = 5 AND account_status <> 'closed'"),
        ("rpt_as_of_mo between '2024-01' and '2024-06'", "rpt_as_of_mo BETWEEN '2024-01' AND '2024-06'"),
        ("cons_acct_key in (1, 2) or balance_am is null", "cons_acct_key IN (1, 2) OR balance_am IS NULL"),
        ("not (balance_am * 2 > 10)", "NOT (balance_am * 2 > 10)"),
    ],
)
def test_a_boolean_expression_over_the_columns_is_accepted_as_duckdb_sql(text, expected):
    assert validate_filter(text, COLUMNS) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("1=1; drop table gold.summary", "--backfill-filter must be a single expression, not several statements"),
        (
            "cons_acct_key in (select 1)",
            "--backfill-filter may not contain SUBQUERY ('(SELECT 1)'); only comparisons of columns and literals",
        ),
        ("read_csv('/etc/passwd') is null", "--backfill-filter may not contain READCSV"),
        (
            "x.cons_acct_key = 1",
            "--backfill-filter: unknown column 'x.cons_acct_key'; allowed: account_status, balance_am, cons_acct_key, rpt_as_of_mo",
        ),
        (
            "secret_column = 1",
            "--backfill-filter: unknown column 'secret_column'; allowed: account_status, balance_am, cons_acct_key, rpt_as_of_mo",
        ),
        ("cons_acct_key <", "--backfill-filter is not valid SQL"),
    ],
)
def test_anything_else_is_refused_in_one_line(text, message):
    with pytest.raises(RippleError) as refused:
        validate_filter(text, COLUMNS)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


@pytest.mark.parametrize("text", ["2024-13", "2024-1", "24-01", "2024-01-01", "jan"])
def test_a_month_is_yyyy_mm(text):
    with pytest.raises(RippleError, match=rf"^--start-month '{text}' is not a month \(YYYY-MM\)$"):
        validate_month(text, "--start-month")
    assert validate_month("2024-12", "--start-month") == "2024-12"
