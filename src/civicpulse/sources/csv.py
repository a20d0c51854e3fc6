"""``csv``: posts from a CSV (or TSV) file with a header row.

    CsvSource("export.csv")                                         # columns guessed from the header
    CsvSource("export.csv", mapping=parse_mapping("id=tweet_id,text=full_text"), platform="twitter")
    CsvSource("export.tsv", delimiter="\\t")

``mapping`` maps post fields (:data:`FIELDS`) to column names. Fields it leaves out are guessed from
the header, case-insensitively (:data:`GUESSES`: ``created_at`` from ``created_at``, ``date``,
``timestamp``...). ``id``, ``created_at``, ``author`` and ``text`` must be found, or the source
refuses to start and lists the columns it saw. Post ids are ``<platform>:<id>``, and ``reply_to``,
``repost_of`` and ``quote_of`` values are qualified the same way.

Values: timestamps are ISO 8601 (``2024-05-01T12:00:00Z``, ``2024-05-01 12:00:00+02:00``), epoch
seconds (``1714564800``; values of 10^11 and more are taken as milliseconds), or the classic Twitter
form (``Wed May 01 12:00:00 +0000 2024``); a timestamp without a zone is taken as UTC. ``lat``/``lon``
are decimal degrees, counts are non-negative integers; an unusable optional value is left out and the
post flagged (see ``docs/post-format.md``). Hashtags, mentions and links are extracted from the text.
``Post.raw`` is the row as ``{column: value}``.

Bad rows are rejected with the reason and their line number, never dropped: a wrong number of fields,
bad quoting (the reader is strict: ``"abc"def`` is an error, not a guess), an unterminated quoted
field (the rejection names every line it swallowed), a field over ``csv.field_size_limit()``
(131,072 characters unless changed), a line over 1 MiB, invalid UTF-8 (encoding as for
:mod:`civicpulse.sources.jsonl`: UTF-8 only, BOM skipped, no repair), and unusable ids or
timestamps. Line endings are ``\\n`` or ``\\r\\n``; old Mac ``\\r``-only files must be converted.

Cursor: ``"<byte offset>:<line number>"`` after the last consumed row; the header is re-read from the
start of the file on every open, so resuming needs nothing else. Reading standard input is not
supported (the header could not be re-read on resume).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from civicpulse.errors import RecordError, UsageError
from civicpulse.post import Author, GeoSource, Post
from civicpulse.registry import sources
from civicpulse.sources.base import MAX_RAW_BYTES, Page, Rejected, Source
from civicpulse.sources.formats import common
from civicpulse.sources.jsonl import (
    MAX_LINE_BYTES,
    check_line_start,
    count_lines,
    open_binary,
    parse_cursor,
    skip_line,
)
from civicpulse.text import extract_hashtags, extract_links, extract_mentions, normalise_link

__all__ = ["FIELDS", "GUESSES", "REQUIRED", "CsvSource", "parse_mapping", "parse_time"]

#: Post fields a column can be mapped to.
FIELDS: tuple[str, ...] = (
    "id", "created_at", "author", "author_handle", "author_name", "text", "url", "language",
    "lat", "lon", "place", "reply_to", "repost_of", "quote_of",
    "likes", "reposts", "replies", "quotes", "views",
)
REQUIRED: tuple[str, ...] = ("id", "created_at", "author", "text")
#: Column names tried, in order, for fields the mapping leaves out (compared case-insensitively).
GUESSES: dict[str, tuple[str, ...]] = {
    "id": ("id", "post_id", "tweet_id", "status_id", "message_id"),
    "created_at": ("created_at", "date", "timestamp", "time", "datetime", "created", "published"),
    "author": ("author", "author_id", "user", "user_id", "username", "screen_name", "account"),
    "author_handle": ("author_handle", "handle", "screen_name", "username"),
    "author_name": ("author_name", "display_name", "name", "user_name"),
    "text": ("text", "content", "body", "message", "full_text", "tweet"),
    "url": ("url", "link", "permalink"),
    "language": ("language", "lang"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "place": ("place", "place_name", "place_full_name"),
    "reply_to": ("reply_to", "in_reply_to", "in_reply_to_id"),
    "repost_of": ("repost_of", "retweet_of", "reblog_of"),
    "quote_of": ("quote_of", "quoted_id"),
    "likes": ("likes", "like_count", "favourites_count", "favorite_count"),
    "reposts": ("reposts", "retweet_count", "reblogs_count"),
    "replies": ("replies", "reply_count", "replies_count"),
    "quotes": ("quotes", "quote_count"),
    "views": ("views", "view_count", "impression_count"),
}

_BOM = b"\xef\xbb\xbf"
#: A record (a row with quoted newlines) larger than this is rejected.
MAX_RECORD_BYTES = 4 << 20
_NUMBER = re.compile(r"[+-]?\d{1,20}(?:\.\d{1,9})?")
_INT = re.compile(r"\d{1,18}")
_COUNTS = ("likes", "reposts", "replies", "quotes", "views")


def parse_mapping(text: str) -> dict[str, str]:
    """``"id=tweet_id,text=full_text"`` as ``{"id": "tweet_id", "text": "full_text"}``.

    Column names cannot contain ``,`` or ``=`` in this form; pass a dict to :class:`CsvSource` then.
    """
    mapping: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise UsageError(f"not a field=column pair: {item.strip()!r}",
                             fix="write the mapping as field=column,field=column")
        if field not in FIELDS:
            raise UsageError(f"unknown post field {field!r} in the mapping", fix=f"use: {', '.join(FIELDS)}")
        mapping[field] = column
    return mapping


def parse_time(value: str) -> datetime:
    """An aware UTC datetime from ISO 8601, epoch seconds (or milliseconds) or the Twitter form."""
    value = value.strip()
    if not value:
        raise RecordError("created_at is empty")
    if _NUMBER.fullmatch(value):
        seconds = float(value)
        if abs(seconds) >= 1e11:
            seconds /= 1000.0
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"created_at is out of range: {value!r}") from None
    if len(value) > 64:
        raise RecordError(f"created_at is not a timestamp: {value[:40]!r}...")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            raise RecordError(
                f"created_at is not ISO 8601, epoch seconds or a Twitter date: {value!r}"
            ) from None
    return common.to_utc(moment)


class _TooLarge(Exception):
    pass


class _Lines(Iterator[str]):
    """Physical lines for ``csv.reader``, decoded, with byte offsets and the current record's bytes."""

    def __init__(self, handle: BinaryIO, offset: int, lineno: int) -> None:
        self.handle = handle
        self.offset = offset
        self.lineno = lineno
        self.start_line = lineno + 1
        self.problem: str | None = None
        self.raw = bytearray()
        self._size = 0

    def start_record(self) -> None:
        self.start_line = self.lineno + 1
        self.problem = None
        self.raw.clear()
        self._size = 0

    def __next__(self) -> str:
        chunk = self.handle.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            raise StopIteration
        start = self.offset
        self.offset += len(chunk)
        self.lineno += 1
        if len(self.raw) < MAX_RAW_BYTES:
            self.raw += chunk[: MAX_RAW_BYTES - len(self.raw)]
        if len(chunk) > MAX_LINE_BYTES and chunk[-1] != 0x0A:
            self.offset += skip_line(self.handle)
            self.problem = self.problem or f"line {self.lineno} too long: more than {MAX_LINE_BYTES} bytes"
            return "\n"
        self._size += len(chunk)
        if self._size > MAX_RECORD_BYTES:
            self.problem = f"record larger than {MAX_RECORD_BYTES} bytes (an unterminated quoted field?)"
            raise _TooLarge
        if start == 0 and chunk.startswith(_BOM):
            chunk = chunk[3:]
        try:
            return chunk.decode("utf-8")
        except UnicodeDecodeError as bad:
            if self.problem is None:
                self.problem = f"invalid UTF-8 at byte {bad.start} of line {self.lineno} (is the file UTF-8?)"
            return chunk.decode("utf-8", "replace")


@sources.register("csv")
class CsvSource(Source):
    """Rows of a CSV file as posts; see the module docstring."""

    name = "csv"

    def __init__(
        self,
        path: str | Path,
        mapping: dict[str, str] | None = None,
        platform: str = "csv",
        delimiter: str = ",",
    ) -> None:
        if len(delimiter) != 1 or delimiter in "\"\r\n":
            raise UsageError(f"not a usable CSV delimiter: {delimiter!r}", fix="use one character")
        if not platform or len(platform) > 64 or ":" in platform or not platform.isprintable():
            raise UsageError(f"not a usable platform name: {platform!r}", fix="use a short name: twitter")
        if str(path) == "-":
            raise UsageError("the csv source cannot read standard input", fix="save the CSV to a file first")
        self.platform = platform
        self.delimiter = delimiter
        self._label = str(path)
        self._file = open_binary(Path(path), stdin_hint="")
        lines = _Lines(self._file, 0, 0)
        try:
            header = next(self._reader(lines), None)
        except (csv.Error, _TooLarge) as error:
            raise UsageError(f"cannot read the header row of {path}: {error or lines.problem}",
                             fix="check that it is a CSV file with a header row") from None
        if lines.problem is not None:
            raise UsageError(f"cannot read the header row of {path}: {lines.problem}",
                             fix="check that it is a UTF-8 CSV file")
        if not header:
            raise UsageError(f"{path} has no header row", fix="the first line must name the columns")
        self.columns = tuple(c.strip() for c in header)
        self._columns_at = self._resolve(mapping or {})
        self._header_end = (lines.offset, lines.lineno)
        self._offset, self._lineno = self._header_end

    def _reader(self, lines: _Lines) -> Iterator[list[str]]:
        return csv.reader(lines, delimiter=self.delimiter, strict=True)

    def _resolve(self, mapping: dict[str, str]) -> dict[str, int]:
        lowered: dict[str, int] = {}
        for index, column in enumerate(self.columns):
            lowered.setdefault(column.lower(), index)
        found: dict[str, int] = {}
        for field, column in mapping.items():
            if field not in FIELDS:
                raise UsageError(f"unknown post field {field!r} in the mapping",
                                 fix=f"use: {', '.join(FIELDS)}")
            if column.strip().lower() not in lowered:
                raise UsageError(f"the mapping names column {column!r}, which {self._label} does not have",
                                 fix=f"its columns are: {', '.join(self.columns)}")
            found[field] = lowered[column.strip().lower()]
        taken = set(found.values())
        for field, names in GUESSES.items():
            if field in found:
                continue
            for name in names:
                guess = lowered.get(name)
                if guess is not None and (guess not in taken or field in ("author_handle", "author_name")):
                    found[field] = guess
                    taken.add(guess)
                    break
        missing = [f for f in REQUIRED if f not in found]
        if missing:
            raise UsageError(
                f"cannot tell which column of {self._label} holds {', '.join(missing)}; "
                f"its columns are: {', '.join(self.columns)}",
                fix="map them explicitly, e.g. " + ",".join(f"{m}=<column>" for m in missing),
            )
        return found

    @property
    def mapping(self) -> dict[str, str]:
        """The mapping in use, field -> column, guesses included."""
        return {field: self.columns[index] for field, index in self._columns_at.items()}

    def describe(self) -> str:
        return f"csv {self._label} ({self.platform})"

    def close(self) -> None:
        self._file.close()

    def _position(self, cursor: str | None) -> tuple[int, int]:
        """``(offset, line number)`` to read from; the start of the rows for no cursor."""
        if cursor is None:
            return self._header_end
        offset, parsed = parse_cursor(cursor)
        if offset == 0:
            return self._header_end
        if offset < self._header_end[0]:
            raise UsageError(f"the cursor ({offset} bytes) points into the header of {self._label}",
                             fix="start again without a cursor")
        if offset == self._offset and parsed in (None, self._lineno):
            return self._offset, self._lineno
        check_line_start(self._file, offset, self._label)
        return offset, count_lines(self._file, offset) if parsed is None else parsed

    def fetch(self, cursor: str | None, limit: int) -> Page:
        offset, lineno = self._position(cursor)
        self._file.seek(offset)
        lines = _Lines(self._file, offset, lineno)
        reader = self._reader(lines)
        posts: list[Post] = []
        rejected: list[Rejected] = []
        now = datetime.now(UTC)
        done = False
        while len(posts) + len(rejected) < limit:
            lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                if lines.problem is not None:  # a too-long last line
                    rejected.append(self._reject(lines.problem, lines))
                done = True
                break
            except csv.Error as error:
                rejected.append(self._reject(f"malformed CSV: {error}", lines))
                reader = self._reader(lines)
                continue
            except _TooLarge:
                rejected.append(self._reject(lines.problem or "record too large", lines))
                reader = self._reader(lines)
                continue
            if lines.problem is not None:
                rejected.append(self._reject(lines.problem, lines))
                continue
            if len(row) <= 1 and (not row or not row[0].strip()):
                continue  # a blank line
            if len(row) != len(self.columns):
                rejected.append(self._reject(
                    f"row has {len(row)} fields, the header has {len(self.columns)}", lines))
                continue
            try:
                posts.append(self._post(row, now))
            except RecordError as error:
                rejected.append(self._reject(error.message, lines))
        self._offset, self._lineno = lines.offset, lines.lineno
        if not done:
            done = lines.offset >= os.fstat(self._file.fileno()).st_size
        return Page(posts=posts, rejected=rejected, cursor=f"{lines.offset}:{lines.lineno}", done=done)

    def _reject(self, reason: str, lines: _Lines) -> Rejected:
        end = lines.lineno
        where = f"{lines.start_line}" if end <= lines.start_line else f"{lines.start_line}-{end}"
        if end > lines.start_line and reason.startswith("malformed CSV"):
            reason += f" (lines {where} could not be read as rows)"
        return Rejected.of(reason, bytes(lines.raw), f"{self._label}:{where}")

    def _value(self, row: list[str], field: str) -> str | None:
        index = self._columns_at.get(field)
        if index is None:
            return None
        value = row[index].strip()
        return value or None

    def _post(self, row: list[str], now: datetime) -> Post:
        platform = self.platform
        native = self._value(row, "id")
        if native is None:
            raise RecordError("id is empty")
        post_id = common.check_id(f"{platform}:{native}", "id")
        created_at = common.check_time(parse_time(row[self._columns_at["created_at"]]), now)
        author_id = self._value(row, "author")
        if author_id is None:
            raise RecordError("author is empty")
        flags: common.Flags = []
        text = common.post_text(row[self._columns_at["text"]], flags)
        refs: dict[str, str | None] = {}
        for field in ("reply_to", "repost_of", "quote_of"):
            target = self._value(row, field)
            refs[field] = common.check_id(f"{platform}:{target}", field) if target else None
        url_value = self._value(row, "url")
        url = normalise_link(url_value) if url_value else None
        if url_value and url is None:
            flags.append("url_invalid")
        lat, lon = self._number(row, "lat"), self._number(row, "lon")
        counts = {f: self._count_value(row, f, flags) for f in _COUNTS}
        return Post(
            id=post_id,
            platform=platform,
            created_at=created_at,
            author=Author(
                id=common.check_author_id(author_id, "author"),
                handle=common.name(self._value(row, "author_handle")),
                display_name=common.name(self._value(row, "author_name")),
            ),
            text=text,
            url=url,
            language=common.language(self._value(row, "language"), flags),
            reply_to=refs["reply_to"],
            repost_of=refs["repost_of"],
            quote_of=refs["quote_of"],
            mentions=extract_mentions(text),
            hashtags=extract_hashtags(text),
            links=extract_links(text),
            geo=common.make_geo(GeoSource.GEOTAG, lat, lon, self._value(row, "place"), flags),
            metrics=common.metrics(**counts),
            raw=dict(zip(self.columns, row, strict=True)),
            enrichments=common.ingest_enrichments(flags),
        )

    def _number(self, row: list[str], field: str) -> Any:
        value = self._value(row, field)
        if value is None:
            return None
        if _NUMBER.fullmatch(value):
            return float(value)
        return "invalid"  # make_geo flags it as out of range

    def _count_value(self, row: list[str], field: str, flags: common.Flags) -> int | None:
        value = self._value(row, field)
        if value is None:
            return None
        if _INT.fullmatch(value):
            return int(value)
        flags.append(f"{field}_invalid")
        return None
