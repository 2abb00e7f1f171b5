"""The SQL that keeps PostgreSQL's numeric NaN and Infinity from turning into 0
(ingest/database.py `exact_numbers_sql`), and the count of the rows it quarantines."""

from __future__ import annotations

import pyarrow as pa

from ingest.database import exact_numbers_sql, quarantined


def test_a_decimal_nan_is_nulled_and_flagged_with_a_reason_and_the_raw_row_a_double_is_sent_as_float8():
    schema = pa.schema(
        {"id": pa.int32(), "it's": pa.decimal128(10, 2), "ratio": pa.float64(), "amount": pa.decimal128(38, 0)}
    )
    assert exact_numbers_sql("select * from t", schema) == (
        'select q."id", '
        "nullif(q.\"it's\", 'NaN')::numeric(10,2) as \"it's\", "
        'q."ratio"::float8 as "ratio", '
        'nullif(q."amount", \'NaN\')::numeric(38,0) as "amount", '
        "nullif(concat_ws('; ', "
        "case when q.\"it's\" = 'NaN' then 'it''s is NaN in the source; numeric(10,2) cannot hold NaN' end, "
        "case when q.\"amount\" = 'NaN' then 'amount is NaN in the source; numeric(38,0) cannot hold NaN' end"
        "), '') as _reject_reason, "
        "case when q.\"it's\" = 'NaN' or q.\"amount\" = 'NaN' then left(row_to_json(q)::text, 10000) end as _raw_record "
        "from (select * from t) as q"
    )


def test_without_a_decimal_column_no_row_can_be_quarantined_and_no_flag_is_added():
    schema = pa.schema({"id": pa.int32(), "name": pa.string()})
    assert exact_numbers_sql("select * from t", schema) == 'select q."id", q."name" from (select * from t) as q'
    assert quarantined(pa.record_batch({"id": [1, 2]})) == 0


def test_the_rows_quarantined_are_those_with_a_reason():
    batch = pa.record_batch({"id": [1, 2, 3], "_reject_reason": [None, "price is NaN in the source", None]})
    assert quarantined(batch) == 1
