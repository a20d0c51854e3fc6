"""``jsonl``: posts from a JSON Lines file (or standard input), in any of the :mod:`.formats`.

    JsonlSource("tweets.jsonl")                     # format recognised line by line
    JsonlSource("statuses.jsonl", format="mastodon")
    JsonlSource("-")                                # standard input

Reading is binary and bounded: a line longer than :data:`MAX_LINE_BYTES` is never held in memory
(it is skipped up to its newline and rejected as "line too long"), blank lines are skipped, and
every other line becomes posts or rejections, never nothing and never an exception. A twarc2 page
line can become up to a hundred posts, so a page can hold more than ``limit`` posts (the cursor
never points inside a line). Duplicate ids are passed through: the store deduplicates.

Encoding: lines must be UTF-8 (a UTF-8 byte-order mark at the start of the file is skipped). A line
that is not valid UTF-8 is rejected with the byte position ("invalid UTF-8 at byte 17"), not
repaired: guessing would silently change the evidence. A Latin-1 or Windows-1252 file therefore
shows up as rejections of exactly its non-ASCII lines, and the fix is to convert it
(``iconv -f latin1 -t utf-8``) and ingest again. A UTF-16 or UTF-32 file (recognised by its
byte-order mark) is refused when the source is created.

Cursor: ``"<byte offset>:<line number>"`` after the last consumed line; resuming seeks straight
there (``"<byte offset>"`` alone works too; the line number is then recounted). A cursor past the
end of the file, or one that does not fall at the start of a line, means the file was replaced or
truncated, and is refused rather than guessed at. Standard input cannot seek: within one run it
continues where the last page ended, but a stored cursor from an earlier run cannot be honoured,
and reading starts from the beginning of whatever standard input now holds.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import msgspec

from civicpulse.errors import UsageError
from civicpulse.post import Post
from civicpulse.registry import sources
from civicpulse.sources.base import Page, Rejected, Source
from civicpulse.sources.formats import Failure, check_format, decode_line

__all__ = [
    "MAX_LINE_BYTES",
    "JsonlSource",
    "check_line_start",
    "gc_paused",
    "looks_wide",
    "open_binary",
    "parse_cursor",
    "skip_line",
]

#: Longest line accepted, in bytes (without its newline).
MAX_LINE_BYTES = 1 << 20
_SKIP_CHUNK = 1 << 16
_BOM = b"\xef\xbb\xbf"


def looks_wide(head: bytes) -> bool:
    """Whether a file's first four bytes are a UTF-16/32 byte-order mark and an ASCII character."""
    if head[:2] == b"\xff\xfe":  # UTF-16-LE (or UTF-32-LE: then head[2:] == b"\0\0")
        return (head[3:4] == b"\x00" and 0 < head[2] < 0x80) if len(head) == 4 else False
    if head[:2] == b"\xfe\xff":  # UTF-16-BE
        return (head[2:3] == b"\x00" and 0 < head[3] < 0x80) if len(head) == 4 else False
    return head == b"\x00\x00\xfe\xff"  # UTF-32-BE


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page is decoded.

    Decoding allocates many small containers, none of them in cycles, and each allocation burst
    triggers collections that cost about a fifth of the decoding time (measured). Reference
    counting still frees everything; the collector resumes as before when the page is done.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_cursor(cursor: str) -> tuple[int, int | None]:
    """``(offset, line number or None)`` from ``"offset:lineno"`` or ``"offset"``."""
    head, _, tail = cursor.partition(":")
    try:
        offset = int(head)
        lineno = int(tail) if tail else None
    except ValueError:
        offset, lineno = -1, None
    if offset < 0 or (lineno is not None and lineno < 0) or not head.isdigit():
        raise UsageError(f"not a file cursor: {cursor[:60]!r}", fix="start again without a cursor")
    return offset, lineno


def open_binary(path: Path, stdin_hint: str = ", or use - to read standard input") -> BinaryIO:
    """``path`` opened for binary reading; a missing, unreadable or UTF-16 file is a ``UsageError``."""
    if not path.exists():
        raise UsageError(f"no such file: {path}", fix=f"check the path{stdin_hint}")
    if path.is_dir():
        raise UsageError(f"{path} is a directory, not a file", fix="name a file inside it")
    try:
        handle = path.open("rb")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}", fix="check its permissions") from None
    head = handle.read(4)
    handle.seek(0)
    if looks_wide(head):
        handle.close()
        raise UsageError(
            f"{path} is UTF-16 or UTF-32 encoded, not UTF-8",
            fix=f"convert it, e.g. iconv -f utf-16 -t utf-8 {path} > converted-{path.name}",
        )
    return handle


def count_lines(handle: BinaryIO, offset: int) -> int:
    """Newlines before ``offset``: the line number of a resumed cursor that did not carry one."""
    handle.seek(0)
    count, left = 0, offset
    while left > 0:
        block = handle.read(min(left, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        left -= len(block)
    return count


def check_line_start(handle: BinaryIO, offset: int, label: str) -> None:
    """Refuse a cursor that is past the end of the file or not at the start of a line."""
    size = os.fstat(handle.fileno()).st_size
    if offset > size:
        raise UsageError(
            f"the cursor ({offset} bytes) is past the end of {label} ({size} bytes): "
            "the file was truncated or replaced",
            fix="start again without a cursor",
        )
    if 0 < offset < size:
        handle.seek(offset - 1)
        if handle.read(1) != b"\n":
            raise UsageError(
                f"the cursor ({offset} bytes) is not at the start of a line in {label}: "
                "the file was changed",
                fix="start again without a cursor",
            )


def skip_line(handle: BinaryIO) -> int:
    """Read past the rest of the current line, in bounded blocks; the number of bytes skipped."""
    skipped = 0
    while True:
        block = handle.readline(_SKIP_CHUNK)
        skipped += len(block)
        if not block or block.endswith(b"\n"):
            return skipped


@sources.register("jsonl")
class JsonlSource(Source):
    """JSON Lines from a file or standard input (``"-"``); see the module docstring."""

    name = "jsonl"

    def __init__(self, path: str | Path, format: str = "auto") -> None:
        self.format = check_format(format)
        self._stdin = str(path) == "-"
        if self._stdin:
            self._label = "<stdin>"
            self._file: BinaryIO = sys.stdin.buffer
        else:
            self._label = str(path)
            self._file = open_binary(Path(path))
        self._offset = 0
        self._lineno = 0

    def describe(self) -> str:
        return f"jsonl {self._label} ({self.format})"

    def close(self) -> None:
        if not self._stdin:
            self._file.close()

    def _position(self, cursor: str | None) -> tuple[int, int]:
        """Move the file to ``cursor`` and return ``(offset, line number)``."""
        offset, lineno = (0, 0) if cursor is None else parse_cursor(cursor)
        if offset == self._offset and lineno in (None, self._lineno):
            return self._offset, self._lineno
        if self._stdin:
            if self._offset == 0:
                return 0, 0  # a new run: standard input cannot seek, read it from its start
            raise UsageError("standard input cannot be rewound", fix="read from a file to resume")
        check_line_start(self._file, offset, self._label)
        if lineno is None:
            lineno = count_lines(self._file, offset)
        self._file.seek(offset)
        self._offset, self._lineno = offset, lineno
        return offset, lineno

    def fetch(self, cursor: str | None, limit: int) -> Page:
        with gc_paused():
            return self._fetch(cursor, limit)

    def _fetch(self, cursor: str | None, limit: int) -> Page:
        offset, lineno = self._position(cursor)
        # Unknown until this page is complete: a fetch cut short (an I/O error, Ctrl-C) leaves the
        # file somewhere past the cursor, and the next fetch must seek rather than trust it.
        self._offset = -1
        posts: list[Post] = []
        rejected: list[Rejected] = []
        now = datetime.now(UTC)
        readline = self._file.readline
        fmt, label = self.format, self._label
        done = False
        while len(posts) + len(rejected) < limit:
            chunk = readline(MAX_LINE_BYTES + 1)
            if not chunk:
                done = True
                break
            start = offset
            offset += len(chunk)
            lineno += 1
            if chunk[-1] == 0x0A:  # b"\n"
                line = chunk[:-2] if chunk.endswith(b"\r\n") else chunk[:-1]
            elif len(chunk) > MAX_LINE_BYTES:
                offset += skip_line(self._file)
                rejected.append(Rejected.of(
                    f"line too long: more than {MAX_LINE_BYTES} bytes (first bytes kept)",
                    chunk, f"{label}:{lineno}",
                ))
                continue
            else:
                line = chunk
            if start == 0 and line.startswith(_BOM):
                line = line[3:]
            if not line or line.isspace():
                continue
            for result in decode_line(line, fmt, now):
                if type(result) is Post:
                    posts.append(result)
                else:
                    assert isinstance(result, Failure)
                    rejected.append(_rejection(result, line, f"{label}:{lineno}"))
        self._offset, self._lineno = offset, lineno
        if not done and not self._stdin:
            done = offset >= os.fstat(self._file.fileno()).st_size
        return Page(posts=posts, rejected=rejected, cursor=f"{offset}:{lineno}", done=done)


def _rejection(failure: Failure, line: bytes, location: str) -> Rejected:
    raw = line
    if failure.item is not None:
        try:
            raw = msgspec.json.encode(failure.item)
        except (TypeError, ValueError, OverflowError):
            raw = line
    if failure.where:
        location = f"{location} {failure.where}"
    return Rejected.of(failure.reason, raw, location)
