"""Shipped model artefacts (``*.npz``) and the numpy code that runs them; see ``docs/models/``."""
