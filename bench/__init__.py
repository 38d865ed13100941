"""Benchmarks (`make bench`): each prints its figures and a ratio against a baseline of the same run."""
