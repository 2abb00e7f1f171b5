"""Settings from the environment, with defaults that need nothing (see DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_PROFILES_DIR = REPO_ROOT / "profiles"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    landing_url: str
    dbt_target: str
    duckdb_threads: int  # dlt and dbt each open DuckDB: both get these two settings
    duckdb_memory_limit: str
    fail_on_quarantine: bool  # whether `ripple ingest` exits 1 when it quarantined rows (they load either way)

    @property
    def pipelines_dir(self) -> Path:
        """dlt's working folder: kept under the data dir so two deployments never share state."""
        return self.data_dir / "dlt_pipelines"

    @property
    def dbt_target_path(self) -> Path:
        return self.data_dir / "dbt" / "target"

    @property
    def dbt_log_path(self) -> Path:
        return self.data_dir / "dbt" / "logs"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "ripple.lock"


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("RIPPLE_DATA_DIR", "./data")).resolve()
    warehouse = Path(os.environ.get("RIPPLE_WAREHOUSE", data_dir / "warehouse.duckdb")).resolve()
    landing_url = os.environ.get("RIPPLE_LANDING_URL", str(data_dir / "landing"))
    return Settings(
        data_dir=data_dir,
        warehouse=warehouse,
        landing_url=landing_url,
        dbt_target=os.environ.get("DBT_TARGET", "dev"),
        duckdb_threads=int(os.environ.get("RIPPLE_DUCKDB_THREADS", "2")),
        duckdb_memory_limit=os.environ.get("RIPPLE_DUCKDB_MEMORY", "8GB"),
        fail_on_quarantine=os.environ.get("RIPPLE_FAIL_ON_QUARANTINE", "").lower() in ("1", "true", "yes"),
    )
