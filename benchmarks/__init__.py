"""Benchmarks: run by `make bench`, never by `make test`; they print ratios and throughput."""
