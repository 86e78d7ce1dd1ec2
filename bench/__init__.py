"""Benchmarks and evaluations (not part of the test run; see the README).

A package so that tests import what the reports use (``from bench import
trec``) from the checkout's root; each script still runs as
``python bench/NAME.py``.
"""
