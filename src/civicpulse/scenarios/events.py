"""A batch of would-be posts as columns of NumPy arrays (structure of arrays).

The generator decides everything about a window's posts — when, who, what kind, which words, what
it answers — in these columns, sorts them by time, and only then turns each row into a ``Post``.
Working on columns is what makes generation fast; a row costs a few microseconds only at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FIELDS", "NO_LABEL", "ORIGINAL", "QUOTE", "REPLY", "REPOST", "Events"]

ORIGINAL, REPOST, REPLY, QUOTE = 0, 1, 2, 3
NO_LABEL = 0

#: Column name -> (dtype, default).
FIELDS: dict[str, tuple[type[np.generic], float | int | bool]] = {
    "t": (np.float64, 0.0),            # seconds since the scenario's start
    "poster": (np.int64, 0),           # account that posts it
    # Content: what the text is written from (copied unchanged into reposts).
    "ctype": (np.int8, 0),
    "cref": (np.int16, 0),
    "sent": (np.int8, 1),
    "lang": (np.int8, 0),
    "flags": (np.int16, 0),
    "ka": (np.int64, 0),
    "kb": (np.int64, 0),
    "cauthor": (np.int64, 0),          # who wrote the content (a repost's root author)
    # Conversation.
    "rel": (np.int8, ORIGINAL),
    "parent_local": (np.int64, -1),    # row of the parent in this window, before sorting
    "parent_seq": (np.int64, -1),      # sequence number of a parent from an earlier window
    "parent_poster": (np.int64, -1),
    # Ground truth (never copied into the post).
    "label": (np.int8, NO_LABEL),
    "label_ref": (np.int16, -1),
    "label2": (np.int8, NO_LABEL),
    "label2_ref": (np.int16, -1),
    "casc": (np.int16, -1),            # cascade whose rules this post's reposts follow; -1: none
    # Geotag.
    "geo": (np.bool_, False),
    "lat": (np.float64, 0.0),
    "lon": (np.float64, 0.0),
}


class Events:
    __slots__ = ("columns",)

    def __init__(self, columns: dict[str, NDArray[Any]]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return int(self.columns["t"].size)

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def __setitem__(self, name: str, values: NDArray[Any]) -> None:
        self.columns[name][...] = values

    @classmethod
    def new(cls, count: int, **given: NDArray[Any] | float | int) -> Events:
        """``count`` rows; columns not given take their default (scalars are broadcast)."""
        columns: dict[str, NDArray[Any]] = {}
        for name, (dtype, default) in FIELDS.items():
            value = given.pop(name, default)
            # Always a fresh array: columns are written in place, so two must never share memory.
            columns[name] = np.full(count, value, dtype=dtype) if np.isscalar(value) \
                else np.array(value, dtype=dtype, copy=True)
        if given:
            raise TypeError(f"unknown event columns: {sorted(given)}")
        return cls(columns)

    @classmethod
    def empty(cls) -> Events:
        return cls.new(0)

    @classmethod
    def concat(cls, parts: Sequence[Events]) -> Events:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls({name: np.concatenate([p.columns[name] for p in parts]) for name in FIELDS})

    def take(self, index: NDArray[Any]) -> Events:
        return Events({name: column[index] for name, column in self.columns.items()})
