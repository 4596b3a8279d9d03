"""Benchmarks: each script compares the service with its baseline in the same run.

See BENCHMARKS.md at the repository root for the commands and the figures of a run.
"""
