"""Analysers enrich batches of posts: one plug-in per file, registered in ``civicpulse.registry``."""
