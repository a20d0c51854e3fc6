"""Measure the shipped models on the official test splits, next to published scores and speed.

:func:`civicpulse.evaluation.runner.evaluate` runs the text models; :mod:`.bias` is the templated
identity-term audit. ``civicpulse eval`` (``civicpulse.cli.eval``) prints both."""
