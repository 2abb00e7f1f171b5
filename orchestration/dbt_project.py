"""The dbt project as Dagster sees it: its manifest, its asset keys and groups, dbt's environment.

The manifest is parsed into the data dir (never the repository) when missing or older than any
file of the dbt project, so `dagster dev` always shows the models as they are on disk.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject

from ingest.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR, Settings, load_settings
from ingest.transform import dbt_env

PROJECT_FILES = ("dbt_project.yml", "models", "macros", "seeds", "tests")


def manifest_dir(settings: Settings) -> Path:
    return settings.data_dir / "dagster" / "dbt_manifest"


def newest_change(root: Path) -> float:
    """The latest modification time of any file of the dbt project."""
    newest = 0.0
    for name in PROJECT_FILES:
        path = root / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        for folder, _, files in os.walk(path):
            newest = max([newest, *(os.stat(os.path.join(folder, f)).st_mtime for f in files)])
    return newest


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[None]:
    """dagster-dbt runs dbt with this process's environment, in the dbt project's folder: while
    it runs, the warehouse path and DuckDB settings are set as `ripple build` gives them, as
    absolute paths (a relative RIPPLE_DATA_DIR would point inside dbt_project/), then restored.
    dagster-dbt sets dbt's target and log paths itself, per invocation."""
    env = dbt_env(settings)
    names = ("RIPPLE_DATA_DIR", "RIPPLE_WAREHOUSE", "DBT_TARGET", "RIPPLE_DUCKDB_THREADS", "RIPPLE_DUCKDB_MEMORY")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({**{name: env[name] for name in names[1:]}, "RIPPLE_DATA_DIR": str(settings.data_dir)})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ripple_dbt_project() -> DbtProject:
    """The dbt project with an up-to-date manifest (dbt parse, ~10 s, when the project changed)."""
    settings = load_settings()
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROFILES_DIR, target_path=manifest_dir(settings))
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < newest_change(DBT_PROJECT_DIR):
        with dbt_environment(settings):
            dbt_cli(project).cli(["parse", "--quiet"], target_path=manifest_dir(settings)).wait()
    return project


def dbt_cli(project: DbtProject) -> DbtCliResource:
    # the venv's dbt, as `ripple build` runs it, whether or not the venv is on PATH
    dbt = Path(sys.executable).with_name("dbt")
    return DbtCliResource(project_dir=project, profiles_dir=str(DBT_PROFILES_DIR), dbt_executable=str(dbt))


class RippleTranslator(DagsterDbtTranslator):
    """A dbt source is a table by its schema and name: bronze.<table> is the ingest asset of that
    name (ops.<table> is ripple's run log); models are keyed and grouped by the schema they build
    in: silver, gold, ops."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema")
