"""Every error civicpulse raises on purpose, in one hierarchy.

    CivicpulseError                 base: has ``message`` and ``fix``, both meant for a person
    ├── ConfigError                 a setting is missing or wrong (file, environment variable)
    ├── UsageError                  the user asked for something that cannot work (bad path, bad option)
    ├── PluginError                 unknown plug-in name, or a plug-in that failed to load
    ├── PipelineError               the pipeline cannot be built (an analyser's requirement unmet)
    ├── ScenarioError               a scenario file is invalid
    ├── StoreError                  the database cannot be reached or is at the wrong schema version
    ├── RecordError                 one record is unusable; the pipeline quarantines it and goes on
    └── AccessDenied                the signed-in user may not do this (role, operation, session)

The CLI prints ``message`` and ``fix`` on one line each and exits with status 2; a traceback is
shown only for bugs (anything that is not a ``CivicpulseError``).
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "CivicpulseError",
    "ConfigError",
    "PipelineError",
    "PluginError",
    "RecordError",
    "ScenarioError",
    "StoreError",
    "UsageError",
]


class CivicpulseError(Exception):
    """Base class. ``fix`` says what the user can do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class ConfigError(CivicpulseError):
    pass


class UsageError(CivicpulseError):
    pass


class PluginError(CivicpulseError):
    pass


class PipelineError(CivicpulseError):
    pass


class ScenarioError(CivicpulseError):
    pass


class StoreError(CivicpulseError):
    pass


class RecordError(CivicpulseError):
    """One bad record. ``stage`` says where it failed (``parse``, ``analyse:<name>``, ...)."""

    def __init__(self, message: str, stage: str = "parse") -> None:
        super().__init__(message)
        self.stage = stage


class AccessDenied(CivicpulseError):
    """Refused by governance: wrong role, no active approved operation, bad or expired session."""
