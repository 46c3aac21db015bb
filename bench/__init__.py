"""Benchmarks: the data generator (generate), the load run (run, locustfile) and the
in-process page timings (pages.py)."""
