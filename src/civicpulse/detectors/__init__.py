"""Detectors watch the enriched stream and raise signals (events, rumours, alerts)."""
