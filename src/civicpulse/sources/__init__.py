"""Sources bring posts in: one plug-in per file, registered in ``civicpulse.registry``."""
