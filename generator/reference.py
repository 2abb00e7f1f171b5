"""Reference data of the restaurant chain in the operational database: units and products.

`write` creates the tables and their first version; `evolve` changes some prices and opens a
new unit, stamping `updated_at`, as the business would. The database is any SQLAlchemy URL
(RIPPLE_SOURCE_URL: SQLite by default, PostgreSQL when set).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from faker import Faker
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    func,
    select,
    update,
)

METADATA = MetaData()
UNITS = Table(
    "units",
    METADATA,
    Column("unit_id", Integer, primary_key=True),
    Column("unit_name", String(80), nullable=False),
    Column("city", String(60), nullable=False),
    Column("state", String(2), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
PRODUCTS = Table(
    "products",
    METADATA,
    Column("product_id", Integer, primary_key=True),
    Column("product_name", String(80), nullable=False),
    Column("category", String(40), nullable=False),
    Column("price", Numeric(10, 2), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
MENU = {
    "burgers": [("X-Burger", 24.90), ("X-Salada", 27.90), ("X-Bacon", 31.90), ("X-Tudo", 36.90)],
    "pizzas": [("Pizza Margherita", 49.90), ("Pizza Calabresa", 52.90), ("Pizza Portuguesa", 56.90)],
    "pratos": [("Feijoada", 42.00), ("Moqueca", 58.00), ("Picanha na chapa", 69.90), ("Frango grelhado", 34.90)],
    "salgados": [("Coxinha", 7.50), ("Pastel de carne", 9.00), ("Pão de queijo (6)", 12.00)],
    "bebidas": [("Guaraná lata", 6.50), ("Suco de laranja", 9.90), ("Caipirinha", 19.90), ("Água", 4.50)],
    "sobremesas": [("Brigadeiro", 5.00), ("Pudim", 11.90), ("Açaí 300ml", 18.90)],
}
STATES = ("SP", "SP", "SP", "RJ", "MG", "PR", "RS", "SC", "BA", "PE")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def write(url: str, units: int = 50, seed: int = 42) -> tuple[int, int]:
    """Create the tables with their first version, if empty; return (units, products)."""
    engine = create_engine(url)
    METADATA.create_all(engine)
    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    rng = random.Random(f"{seed}:reference")
    stamp = now_utc()
    with engine.begin() as con:
        if con.execute(select(func.count()).select_from(UNITS)).scalar() == 0:
            con.execute(
                UNITS.insert(),
                [
                    {
                        "unit_id": n,
                        "unit_name": f"Sabor {fake.city()} {n:03d}",
                        "city": fake.city(),
                        "state": rng.choice(STATES),
                        "opened_on": date(2015 + rng.randrange(9), rng.randrange(1, 13), 1),
                        "updated_at": stamp,
                    }
                    for n in range(1, units + 1)
                ],
            )
        if con.execute(select(func.count()).select_from(PRODUCTS)).scalar() == 0:
            products = [(name, category, price) for category, items in MENU.items() for name, price in items]
            con.execute(
                PRODUCTS.insert(),
                [
                    {
                        "product_id": n,
                        "product_name": name,
                        "category": category,
                        "price": Decimal(f"{price:.2f}"),
                        "is_active": True,
                        "updated_at": stamp,
                    }
                    for n, (name, category, price) in enumerate(products, 1)
                ],
            )
        return (
            con.execute(select(func.count()).select_from(UNITS)).scalar_one(),
            con.execute(select(func.count()).select_from(PRODUCTS)).scalar_one(),
        )


def evolve(url: str, seed: int = 42, price_changes: int = 3) -> list[str]:
    """Raise some prices and open one more unit; return what changed, in words."""
    engine = create_engine(url)
    stamp = now_utc()
    rng = random.Random(f"{seed}:evolve:{stamp.isoformat()}")
    changes = []
    with engine.begin() as con:
        products = con.execute(select(PRODUCTS.c.product_id, PRODUCTS.c.product_name, PRODUCTS.c.price)).all()
        if not products:
            raise ValueError("no products yet: run `ripple generate reference` first")
        for product_id, name, price in rng.sample(products, min(price_changes, len(products))):
            new_price = (Decimal(str(price)) * Decimal("1.10")).quantize(Decimal("0.10")) - Decimal("0.10")
            con.execute(
                update(PRODUCTS).where(PRODUCTS.c.product_id == product_id).values(price=new_price, updated_at=stamp)
            )
            changes.append(f"product {product_id} {name}: price {price} -> {new_price}")
        next_unit = con.execute(select(func.max(UNITS.c.unit_id))).scalar_one() + 1
        con.execute(
            UNITS.insert(),
            [
                {
                    "unit_id": next_unit,
                    "unit_name": f"Sabor Novo {next_unit:03d}",
                    "city": "Campinas",
                    "state": "SP",
                    "opened_on": stamp.date(),
                    "updated_at": stamp,
                }
            ],
        )
        changes.append(f"unit {next_unit} opened")
    return changes


def read_catalog(url: str) -> tuple[list[int], list[tuple[int, Decimal]]]:
    """Unit ids and (product id, current price) of active products, for the order generator."""
    engine = create_engine(url)
    try:
        with engine.connect() as con:
            units = [r[0] for r in con.execute(select(UNITS.c.unit_id).order_by(UNITS.c.unit_id))]
            products = [
                (r[0], Decimal(r[1]))
                for r in con.execute(
                    select(PRODUCTS.c.product_id, PRODUCTS.c.price)
                    .where(PRODUCTS.c.is_active)
                    .order_by(PRODUCTS.c.product_id)
                )
            ]
    except Exception as exc:  # a missing table, an unreachable server: one clear message
        raise ValueError(
            f"cannot read units and products from the operational database "
            f"({type(exc).__name__}); run `ripple generate reference` first"
        ) from None
    if not units or not products:
        raise ValueError("no units or products in the operational database: run `ripple generate reference` first")
    return units, products
