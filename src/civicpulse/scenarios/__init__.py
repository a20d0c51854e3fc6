"""Synthetic exercise scenarios: the built-in demo data and the training tool."""
