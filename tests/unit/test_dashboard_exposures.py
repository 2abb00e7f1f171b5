"""The dbt exposures (dbt_project/models/_exposures.yml) name exactly the relations each dashboard
page queries, so dbt docs draw the pages' lineage as it is."""

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPOSURES = yaml.safe_load((REPO_ROOT / "dbt_project/models/_exposures.yml").read_text(encoding="utf-8"))["exposures"]


@pytest.mark.parametrize("exposure", EXPOSURES, ids=[e["name"] for e in EXPOSURES])
def test_an_exposure_lists_the_relations_its_page_reads(exposure):
    view = REPO_ROOT / "dashboard/views" / f"{exposure['name'].removeprefix('dashboard_')}.py"
    read = set(re.findall(r"\b(?:gold|ops)\.(\w+)", view.read_text(encoding="utf-8")))
    listed = {re.fullmatch(r"(?:ref|source)\((?:'\w+', )?'(\w+)'\)", node)[1] for node in exposure["depends_on"]}
    assert listed == read


def test_every_page_has_an_exposure():
    pages = {path.stem for path in (REPO_ROOT / "dashboard/views").glob("*.py")} - {"__init__"}
    assert {e["name"].removeprefix("dashboard_") for e in EXPOSURES} == pages
