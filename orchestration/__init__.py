"""ripple's Dagster code location: assets, checks, schedules and the landing-zone sensor
(`make orchestrate`; README: Orchestration). The definitions are in orchestration/definitions.py."""
