"""`ripple sql` splits stdin into statements at each `;` that ends one (ingest/commands/sql.py)."""

from __future__ import annotations

import pytest

from ingest.commands.sql import split_statements, statements_from


@pytest.mark.parametrize(
    ("text", "statements", "rest"),
    [
        pytest.param("select 1;", ["select 1"], "", id="one"),
        pytest.param("select 1; select 2;\nselect", ["select 1", "select 2"], "\nselect", id="two and a partial one"),
        pytest.param("select 'a;b';", ["select 'a;b'"], "", id="semicolon in a string"),
        pytest.param('select 1 as "x;y";', ['select 1 as "x;y"'], "", id="semicolon in an identifier"),
        pytest.param("select 'it''s';", ["select 'it''s'"], "", id="doubled quote"),
        pytest.param("select 1 -- no; not here\n;", ["select 1 -- no; not here"], "", id="semicolon in a comment"),
        pytest.param(";;  ;", [], "", id="empty statements"),
        pytest.param("select 'open;", [], "select 'open;", id="string still open"),
    ],
)
def test_split_statements(text, statements, rest):
    assert split_statements(text) == (statements, rest)


def test_statements_are_yielded_as_their_semicolon_arrives_and_the_rest_at_eof():
    lines = iter(["select 1;\n", "select\n", "2; select 3\n"])
    statements = statements_from(lines)
    assert next(statements) == "select 1"  # before the next line is read
    assert list(statements) == ["select\n2", "select 3"]
