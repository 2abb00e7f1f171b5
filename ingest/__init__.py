"""ripple ingestion: dlt sources and pipelines into the bronze layer, plus the `ripple` CLI."""
