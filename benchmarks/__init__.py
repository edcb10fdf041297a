"""Benchmarks for cmcc-corpus: a realistic corpus generator and the ingest benchmark."""
