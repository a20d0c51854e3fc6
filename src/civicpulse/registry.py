"""Every extension point, declared in one place.

There are four registries: ``sources``, ``analysers``, ``detectors`` and ``channels``. Built-ins are
registered exactly like third-party plug-ins: each built-in module calls ``REGISTRY.register`` at
import time, and the module paths are listed here (``BUILTIN_*``) so that they load on first use.
Third parties publish entry points in the group ``civicpulse.<kind>`` (for example
``civicpulse.analysers``) whose value is a module to import. A plug-in that fails to load is an
error, never a silent warning: a control room must not run with half its analysers missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Generic, TypeVar

from civicpulse.errors import PluginError

if TYPE_CHECKING:
    from civicpulse.analysers.base import Analyser
    from civicpulse.channels.base import Channel
    from civicpulse.detectors.base import Detector
    from civicpulse.sources.base import Source

__all__ = ["BUILTIN_ANALYSERS", "BUILTIN_CHANNELS", "BUILTIN_DETECTORS", "BUILTIN_SOURCES", "Registry",
           "analysers", "channels", "detectors", "sources"]

T = TypeVar("T")

BUILTIN_SOURCES: tuple[str, ...] = (
    "civicpulse.sources.jsonl",
    "civicpulse.sources.csv",
    "civicpulse.sources.scenario",
)
BUILTIN_ANALYSERS: tuple[str, ...] = (
    "civicpulse.analysers.surface",
    "civicpulse.analysers.language",
    "civicpulse.analysers.sentiment",
    "civicpulse.analysers.offensive",
    "civicpulse.analysers.hate",
    "civicpulse.analysers.emotion",
    "civicpulse.analysers.account",
    "civicpulse.analysers.personal_data",
    "civicpulse.analysers.near_duplicates",
    "civicpulse.analysers.places",
    "civicpulse.analysers.crisis",
    "civicpulse.analysers.entities",
)
BUILTIN_DETECTORS: tuple[str, ...] = (
    "civicpulse.detectors.events",
    "civicpulse.detectors.rumours",
    "civicpulse.detectors.alerts",
    "civicpulse.detectors.coordination",
)
BUILTIN_CHANNELS: tuple[str, ...] = (
    "civicpulse.channels.webhook",
    "civicpulse.channels.email",
)


class Registry(Generic[T]):
    """Named plug-in classes of one kind."""

    def __init__(self, kind: str, builtins: tuple[str, ...]) -> None:
        self.kind = kind
        self._builtins = builtins
        self._items: dict[str, type[T]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[type[T]], type[T]]:
        """Class decorator: ``@sources.register("jsonl")``."""

        def decorate(cls: type[T]) -> type[T]:
            existing = self._items.get(name)
            if existing is not None and existing is not cls:
                raise PluginError(
                    f"two {self.kind}s are registered as {name!r}: "
                    f"{existing.__module__} and {cls.__module__}",
                    fix="rename one of the plug-ins",
                )
            self._items[name] = cls
            return cls

        return decorate

    def get(self, name: str) -> type[T]:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise PluginError(f"no {self.kind} called {name!r}", fix=f"choose one of: {known}") from None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def __iter__(self) -> Iterator[tuple[str, type[T]]]:
        self._load()
        return iter(sorted(self._items.items()))

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module in self._builtins:
            importlib.import_module(module)
        for entry in entry_points(group=f"civicpulse.{self.kind}s"):
            try:
                entry.load()
            except Exception as error:
                raise PluginError(
                    f"the {self.kind} plug-in {entry.name!r} ({entry.value}) failed to load: {error}",
                    fix="fix or uninstall that package",
                ) from error


sources: Registry[Source] = Registry("source", BUILTIN_SOURCES)
analysers: Registry[Analyser] = Registry("analyser", BUILTIN_ANALYSERS)
detectors: Registry[Detector] = Registry("detector", BUILTIN_DETECTORS)
channels: Registry[Channel] = Registry("channel", BUILTIN_CHANNELS)
