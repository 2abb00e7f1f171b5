"""Restaurant sales: order files per unit and business window, local time America/Sao_Paulo.

Orders of one (day, unit, window) are drawn from a generator seeded by exactly that, with
stable ids (`YYYYMMDD-UUU-HHMM-SS`), so generating a window alone or the whole day (bulk)
gives the same orders: if both land, they are the same orders twice, which the pipeline
deduplicates. Items are priced from the current product table.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from generator.csvfiles import write_csv
from ingest.progress import track

LANDING_SUBDIR = "csv_sales"
TIMEZONE = "America/Sao_Paulo"  # the chain's business days and windows
OPENING, CLOSING = time(10, 0), time(22, 0)
# (window start hour, orders per unit in the window): 750-1,200 orders a day for 50 units
WINDOWS = ((10, (1, 2)), (12, (3, 5)), (14, (1, 2)), (16, (2, 3)), (18, (4, 6)), (20, (2, 3)))
WINDOW_HOURS = 2
ORDER_TYPES = (("salao", 0.45), ("balcao", 0.20), ("delivery", 0.35))  # dine-in, takeout, delivery
PAYMENTS = (("pix", 0.40), ("credito", 0.30), ("debito", 0.20), ("dinheiro", 0.10))
CANCELLED_SHARE = 0.06
DELIVERY_FEES = (Decimal("5.00"), Decimal("7.90"), Decimal("9.90"))
ORDER_COLUMNS = (
    "id_pedido",
    "id_unidade",
    "data_hora_pedido",
    "tipo_pedido",
    "status_pedido",
    "forma_pagamento",
    "taxa_entrega",
    "valor_total",
)
ITEM_COLUMNS = ("id_pedido", "numero_item", "id_produto", "quantidade", "preco_unitario", "valor_item")
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class Order:
    row: tuple
    items: list[tuple]
    at: datetime


def parse_hhmm(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day (HH:MM)") from None


def window_orders(day: date, unit: int, start_hour: int, seed: int, products: list[tuple[int, Decimal]]) -> list[Order]:
    counts = dict(WINDOWS)[start_hour]
    rng = random.Random(f"{seed}:{day.isoformat()}:{unit}:{start_hour}")
    window_start = datetime.combine(day, time(start_hour))
    orders = []
    for seq in range(1, rng.randint(*counts) + 1):
        at = window_start + timedelta(seconds=rng.randrange(WINDOW_HOURS * 3600))
        order_id = f"{day:%Y%m%d}-{unit:03d}-{start_hour:02d}00-{seq:02d}"
        order_type = rng.choices([t for t, _ in ORDER_TYPES], [w for _, w in ORDER_TYPES])[0]
        status = "cancelado" if rng.random() < CANCELLED_SHARE else "concluido"
        payment = rng.choices([p for p, _ in PAYMENTS], [w for _, w in PAYMENTS])[0]
        fee = rng.choice(DELIVERY_FEES) if order_type == "delivery" else Decimal("0.00")
        items = []
        for line in range(1, rng.randint(1, 4) + 1):
            product_id, price = rng.choice(products)
            quantity = rng.choices((1, 2, 3), (0.7, 0.22, 0.08))[0]
            items.append((order_id, line, product_id, quantity, f"{price:.2f}", f"{price * quantity:.2f}"))
        total = sum(Decimal(i[5]) for i in items) + fee
        orders.append(
            Order(
                (order_id, unit, at.strftime(TS_FORMAT), order_type, status, payment, f"{fee:.2f}", f"{total:.2f}"),
                items,
                at,
            )
        )
    return sorted(orders, key=lambda o: o.at)


def folder_for(out_dir: Path, day: date, unit: int, window_start: time) -> Path:
    return (
        out_dir
        / LANDING_SUBDIR
        / f"{day:%Y}"
        / f"{day:%m}"
        / f"{day:%d}"
        / f"unit_{unit:03d}"
        / f"window_{window_start:%H%M}"
    )


def generate(
    out_dir: Path,
    day: date,
    units: list[int],
    products: list[tuple[int, Decimal]],
    seed: int = 42,
    window: tuple[time, time] | None = None,
    progress=print,
) -> list[Path]:
    """Write the files of one window (or, without one, of every window of the day)."""
    if window is None:
        windows = [(time(h), time(h + WINDOW_HOURS)) for h, _ in WINDOWS]
    else:
        start, end = window
        if end <= start:
            raise ValueError(f"the window ends ({end:%H:%M}) before it starts ({start:%H:%M})")
        start, end = max(start, OPENING), min(end, CLOSING)
        if end <= start:
            progress(
                f"sales: window {window[0]:%H:%M}-{window[1]:%H:%M} is outside business hours "
                f"({OPENING:%H:%M}-{CLOSING:%H:%M} {TIMEZONE}): skipped, nothing written"
            )
            return []
        windows = [(start, end)]
    written, n_orders = [], 0
    with track(f"generate sales {day}", len(windows) * len(units), "unit-windows") as task:
        for start, end in windows:
            first = datetime.combine(day, start)
            last = datetime.combine(day, end)
            hours = [
                h
                for h, _ in WINDOWS
                if h < end.hour + end.minute / 60 and h + WINDOW_HOURS > start.hour + start.minute / 60
            ]
            for unit in units:
                orders = [o for h in hours for o in window_orders(day, unit, h, seed, products) if first <= o.at < last]
                folder = folder_for(out_dir, day, unit, start)
                written.append(write_csv(folder / "pedido.csv", ORDER_COLUMNS, [o.row for o in orders]))
                written.append(
                    write_csv(folder / "item_pedido.csv", ITEM_COLUMNS, [i for o in orders for i in o.items])
                )
                n_orders += len(orders)
                task.advance()
    label = f"window {windows[0][0]:%H:%M}-{windows[0][1]:%H:%M}" if window else "whole day (bulk)"
    progress(
        f"sales: {day} {label}: {n_orders:,} orders for {len(units)} units, {len(written)} files "
        f"under {out_dir / LANDING_SUBDIR}"
    )
    return written


def upload(files: list[Path], out_dir: Path, url: str, progress=print) -> None:
    """Copy generated files to any fsspec destination, keeping their paths under out_dir."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    for path in files:
        relative = path.relative_to(out_dir).as_posix()
        target = f"{root.rstrip('/')}/{relative}"
        try:
            fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(path), target)
        except Exception as exc:  # any backend's error: name the file and the reason
            raise ValueError(f"upload of {relative} to {url} failed: {type(exc).__name__}: {exc}") from None
    progress(f"sales: uploaded {len(files)} files to {url}")
