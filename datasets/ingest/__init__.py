"""The ingestion pipeline: a stored file becomes a validated, profiled datastore table.

Stages, in order: fetch (URL sources) -> detect -> decode -> read (sniff, header repair)
-> types -> validate -> pii -> profile -> load -> publish. `pipeline.ingest_run` drives
them and keeps the IngestJob row up to date.
"""
