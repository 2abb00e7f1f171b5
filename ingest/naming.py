"""Bronze column names: how a header name or JSON key found in a file becomes a column.

Surrounding spaces are trimmed, accents folded to ASCII, then dlt's snake_case convention
applies, the one dlt uses for every name it loads: `Order ID`, ` order_id `, `ORDER_ID` and
`OrderId` all become `order_id`, `Preço` becomes `preco`. A declared column matches every
header or key with its bronze name. Two columns of one file with the same bronze name (a
duplicate, case twins) would overwrite each other's values: such a file is rejected, never
loaded with one of them dropped.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from ingest.errors import FileRejected

# names ripple and dlt keep for themselves in every bronze table of a file source
RESERVED = frozenset(
    {
        "_source_file",
        "_source_line",
        "_business_date",
        "_file_size",
        "_file_modified_at",
        "_file_changed_at",
        "_file_checksum",
        "_loaded_at",
        "_reject_reason",
        "_raw_record",
        "_dlt_id",
        "_dlt_load_id",
    }
)


@cache
def _convention():  # dlt's import is slow; most commands never need it
    from dlt.common.normalizers.naming.snake_case import NamingConvention

    return NamingConvention()


def bronze_name(name: str) -> str | None:
    """The column a header name becomes; None when nothing is left of it (a blank name)."""
    folded = unicodedata.normalize("NFKD", name.strip()).encode("ascii", "ignore").decode()
    if not folded.strip():
        return None
    return str(_convention().normalize_identifier(folded))


def assign(found: list[str], what: str = "columns") -> list[str]:
    """Bronze names for the header columns (or JSON keys) of one file, in order. A blank name
    becomes `column_<n>` (its position). Clashes reject the file, naming every column involved."""
    names = [bronze_name(f) or f"column_{n}" for n, f in enumerate(found, 1)]
    label = (lambda n: f"{n + 1} {found[n]!r}") if what == "columns" else (lambda n: repr(found[n]))
    by_name: dict[str, list[int]] = {}
    for position, name in enumerate(names):
        by_name.setdefault(name, []).append(position)
    clashes = [
        f"{', '.join(label(n) for n in positions)} {'both' if len(positions) == 2 else 'all'} become {name!r}"
        for name, positions in by_name.items()
        if len(positions) > 1
    ]
    if clashes:
        raise FileRejected(f"{what} {'; '.join(clashes)}: one would overwrite the other, rename them apart")
    reserved = [label(n) for n, name in enumerate(names) if name in RESERVED]
    if reserved:
        one = len(reserved) == 1
        raise FileRejected(
            f"{what[:-1] if one else what} {', '.join(reserved)}: "
            f"{'a name' if one else 'names'} ripple keeps for its own columns, rename {'it' if one else 'them'}"
        )
    return names
