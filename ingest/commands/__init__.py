"""The work of each `ripple` command, one module per command; ingest/cli.py parses and dispatches."""
