"""Settings from the environment, with defaults that need nothing (README: Configuration)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import RippleError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_PROFILES_DIR = REPO_ROOT / "profiles"
# dlt reads its settings from .dlt/ in its project dir, the working directory unless told:
# ripple runs from anywhere, its settings are in the repository's .dlt/config.toml.
os.environ.setdefault("DLT_PROJECT_DIR", str(REPO_ROOT))


DESTINATIONS = ("duckdb", "bigquery")


@dataclass(frozen=True)
class BigQuerySettings:
    """Where `RIPPLE_DESTINATION=bigquery` loads: the same RIPPLE_BQ_* variables as dbt's profile."""

    project: str
    dataset_prefix: str  # datasets are <prefix>_bronze, <prefix>_ops (and dbt's <prefix>_silver, ...)
    location: str
    auth: str  # oauth: application-default credentials; keyfile: a service account JSON key
    keyfile: str
    staging_url: str  # optional gs:// bucket folder: dlt stages load files there, BigQuery loads from it

    def dataset(self, layer: str) -> str:
        return f"{self.dataset_prefix}_{layer}"


@dataclass(frozen=True)
class LakeSettings:
    """The DuckLake warehouse: a catalog database and a folder or bucket of Parquet files."""

    catalog: str  # an SQLite file path, or a postgresql:// URL (several machines)
    data_path: str  # a local folder, or an s3:// or gs:// URL; always ends with "/"
    retention_days: int  # `ripple maintain` expires snapshots older than this

    @property
    def on_postgres(self) -> bool:
        return self.catalog.startswith(("postgresql://", "postgres://"))

    @property
    def attach_path(self) -> str:
        """What DuckDB's ATTACH (or connect) takes: `ducklake:sqlite:<file>` or `ducklake:postgres:<url>`."""
        return f"ducklake:{'postgres' if self.on_postgres else 'sqlite'}:{self.catalog}"

    @property
    def data_scheme(self) -> str:
        """`file`, `s3` or `gs`."""
        return self.data_path.split("://", 1)[0] if "://" in self.data_path else "file"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    lake: LakeSettings
    landing_url: str
    dbt_target: str
    duckdb_threads: int  # dlt and dbt each open DuckDB: both get these two settings
    duckdb_memory_limit: str
    fail_on_quarantine: bool  # whether `ripple ingest` exits 1 when it quarantined rows (they load either way)
    kept_load_packages: int = 0  # dlt's finished load packages kept per source after a successful run
    bigquery: BigQuerySettings | None = None  # set when RIPPLE_DESTINATION=bigquery

    @property
    def destination(self) -> str:
        """Where ingest loads: the DuckDB file, or BigQuery."""
        return "bigquery" if self.bigquery else "duckdb"

    @property
    def duckdb_config(self) -> dict[str, str | bool | int | float | list[str]]:
        """The limits of every DuckDB connection to the warehouse: ripple's own, dlt's (dbt's profile
        reads the same two variables)."""
        return {"threads": self.duckdb_threads, "memory_limit": self.duckdb_memory_limit}

    @property
    def warehouse_name(self) -> str:
        """The warehouse as messages name it."""
        if self.bigquery:
            return f"BigQuery {self.bigquery.project}.{self.bigquery.dataset('*')}"
        from ingest.database import redacted

        catalog = redacted(self.lake.catalog) if self.lake.on_postgres else self.lake.catalog
        return f"DuckLake {catalog} (data in {self.lake.data_path})"

    @property
    def pipelines_dir(self) -> Path:
        """dlt's working folder: kept under the data dir so two deployments never share state,
        and one per destination, as dlt keeps a pipeline's destination in it."""
        return self.data_dir / (
            "dlt_pipelines" if self.destination == "duckdb" else f"dlt_pipelines_{self.destination}"
        )

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
    lake = load_lake_settings(data_dir)
    landing_url = os.environ.get("RIPPLE_LANDING_URL", str(data_dir / "landing"))
    destination = os.environ.get("RIPPLE_DESTINATION", "duckdb")
    progress_seconds()  # a wrong value fails the command before it starts, not in the middle of its work
    if destination not in DESTINATIONS:
        raise RippleError(f"RIPPLE_DESTINATION={destination!r}: use one of {', '.join(DESTINATIONS)}")
    return Settings(
        data_dir=data_dir,
        lake=lake,
        landing_url=landing_url,
        dbt_target=os.environ.get("DBT_TARGET", "dev"),
        duckdb_threads=int(os.environ.get("RIPPLE_DUCKDB_THREADS", "2")),
        duckdb_memory_limit=os.environ.get("RIPPLE_DUCKDB_MEMORY", "8GB"),
        fail_on_quarantine=os.environ.get("RIPPLE_FAIL_ON_QUARANTINE", "").lower() in ("1", "true", "yes"),
        kept_load_packages=count_setting("RIPPLE_KEEP_LOAD_PACKAGES", 0),
        bigquery=load_bigquery_settings() if destination == "bigquery" else None,
    )


PROGRESS_VARIABLE = "RIPPLE_PROGRESS_SECONDS"


def progress_seconds() -> float:
    """Seconds between two plain progress lines when stderr is not a terminal (ingest/progress.py);
    0 writes one per update. Read when a task starts, so a caller in Python may change it."""
    text = os.environ.get(PROGRESS_VARIABLE, "10")
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise RippleError(f"{PROGRESS_VARIABLE}={text!r}: expected a number of seconds (0 or more)")
    return seconds


def count_setting(variable: str, default: int) -> int:
    text = os.environ.get(variable, str(default))
    if not text.strip().isdigit():
        raise RippleError(f"{variable}={text!r}: expected a whole number (0 or more)")
    return int(text)


DATA_SCHEMES = ("file", "s3", "gs")


def load_lake_settings(data_dir: Path) -> LakeSettings:
    catalog = os.environ.get("RIPPLE_LAKE_CATALOG") or str(data_dir / "lake.sqlite")
    if "://" not in catalog:
        catalog = str(Path(catalog).resolve())
    elif not catalog.startswith(("postgresql://", "postgres://")):
        raise RippleError(f"RIPPLE_LAKE_CATALOG={catalog!r}: use an SQLite file path or a postgresql:// URL")
    data_path = os.environ.get("RIPPLE_LAKE_DATA_PATH") or str(data_dir / "lake")
    if "://" not in data_path:
        data_path = str(Path(data_path).resolve())
    elif data_path.split("://", 1)[0] not in DATA_SCHEMES:
        raise RippleError(f"RIPPLE_LAKE_DATA_PATH={data_path!r}: use a local folder, s3://... or gs://...")
    retention = os.environ.get("RIPPLE_LAKE_RETENTION_DAYS", "7")
    if not retention.isdigit() or int(retention) < 1:
        # a day at least: a reader's query on the snapshot a run just replaced still finds its files
        raise RippleError(f"RIPPLE_LAKE_RETENTION_DAYS={retention!r}: give a whole number of days, at least 1")
    return LakeSettings(catalog=catalog, data_path=data_path.rstrip("/") + "/", retention_days=int(retention))


def load_bigquery_settings() -> BigQuerySettings:
    project = os.environ.get("RIPPLE_BQ_PROJECT", "")
    if not project:
        raise RippleError("RIPPLE_DESTINATION=bigquery needs RIPPLE_BQ_PROJECT (the Google Cloud project to load into)")
    auth = os.environ.get("RIPPLE_BQ_AUTH", "oauth")
    keyfile = os.environ.get("RIPPLE_BQ_KEYFILE", "")
    if auth not in ("oauth", "keyfile"):
        raise RippleError(f"RIPPLE_BQ_AUTH={auth!r}: use oauth (application-default credentials) or keyfile")
    if auth == "keyfile" and not Path(keyfile).is_file():
        raise RippleError(
            f"RIPPLE_BQ_AUTH=keyfile needs RIPPLE_BQ_KEYFILE, a service account JSON key file (got {keyfile!r})"
        )
    staging_url = os.environ.get("RIPPLE_BQ_STAGING_URL", "")
    if staging_url and not staging_url.startswith("gs://"):
        raise RippleError(f"RIPPLE_BQ_STAGING_URL={staging_url!r}: BigQuery loads from gs:// only")
    return BigQuerySettings(
        project=project,
        dataset_prefix=os.environ.get("RIPPLE_BQ_DATASET_PREFIX", "ripple"),
        location=os.environ.get("RIPPLE_BQ_LOCATION", "US"),
        auth=auth,
        keyfile=keyfile,
        staging_url=staging_url.rstrip("/"),
    )
