"""Benchmarks of the viewer against a naive viewer; run ``python -m bench`` from the repo root."""
