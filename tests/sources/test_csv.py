"""The CSV source: column mapping, values, resumption, and bad rows."""

from __future__ import annotations

import csv
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.errors import UsageError
from civicpulse.post import GeoSource, Post
from civicpulse.sources.base import MAX_RAW_BYTES, Rejected
from civicpulse.sources.csv import CsvSource, parse_mapping, parse_time
from civicpulse.testing import read_all

FIXTURES = Path(__file__).parent.parent / "fixtures"
HEADER = "id,created_at,author,text\n"


def csv_file(tmp_path: Path, body: str | bytes, header: str = HEADER, name: str = "posts.csv") -> Path:
    path = tmp_path / name
    data = body if isinstance(body, bytes) else body.encode()
    path.write_bytes(header.encode() + data)
    return path


def test_registered() -> None:
    from civicpulse.registry import sources

    assert sources._items["csv"] is CsvSource


def test_fixture_with_guessed_columns() -> None:
    source = CsvSource(FIXTURES / "posts.csv")
    assert source.mapping == {
        "id": "id", "created_at": "created_at", "author": "username", "author_handle": "username", "text": "text",
        "language": "lang", "lat": "latitude", "lon": "longitude", "reply_to": "in_reply_to",
        "reposts": "retweet_count",
    }
    posts, rejected, cursors = read_all(source)
    assert rejected == []
    assert [p.id for p in posts] == ["csv:1", "csv:2", "csv:3", "csv:4"]
    first, second, third, fourth = posts

    assert first.platform == "csv"
    assert first.created_at == datetime(2023, 3, 1, 8, tzinfo=UTC)
    assert first.author.id == first.author.handle == "alice"
    assert first.text == "Morning patrol on #Elm Street"
    assert first.hashtags == ("elm",)
    assert first.language == "en"
    assert first.geo is not None
    assert (first.geo.source, first.geo.lat, first.geo.lon) == (GeoSource.GEOTAG, 51.5, -0.12)
    assert first.metrics is not None
    assert first.metrics.reposts == 3
    assert first.raw == {"id": "1", "created_at": "2023-03-01T08:00:00Z", "username": "alice",
                         "text": "Morning patrol on #Elm Street", "lang": "en", "latitude": "51.5",
                         "longitude": "-0.12", "retweet_count": "3", "in_reply_to": ""}

    assert second.created_at == datetime(2023, 3, 1, 9, tzinfo=UTC)  # epoch seconds
    assert second.text == 'Multi-line\nreport, with a comma and "quotes"'  # a quoted newline
    assert second.reply_to == "csv:1"
    assert third.created_at == datetime(2023, 3, 1, 10, tzinfo=UTC)  # naive: UTC
    assert third.mentions == ("alice",)
    assert fourth.created_at == datetime(2023, 3, 1, 11, tzinfo=UTC)  # Twitter's classic form
    assert fourth.links == ("https://example.org/x",)
    assert fourth.geo is None  # latitude 91: left out and flagged
    assert fourth.metrics is None  # "x" is not a count
    assert fourth.enrichments == {"ingest/1": {"flags": ["geo_out_of_range", "reposts_invalid"]}}
    assert cursors[-1] == f"{(FIXTURES / 'posts.csv').stat().st_size}:7"


def test_explicit_mapping_platform_and_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text(
        "Tweet ID\tWhen\tWho\tBody\tParent\tName\n"
        "100\t2024-01-02T03:04:05+01:00\tu1\thello\t99\tJane \u202eX\n",
        encoding="utf-8",
    )
    mapping = parse_mapping("id=Tweet ID, created_at=When ,author=Who,text=Body,reply_to=parent,author_name=Name")
    source = CsvSource(path, mapping=mapping, platform="twitter", delimiter="\t")
    (post,), rejected, _ = read_all(source)
    assert rejected == []
    assert post.id == "twitter:100"
    assert post.platform == "twitter"
    assert post.reply_to == "twitter:99"
    assert post.created_at == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert post.author.display_name == "Jane X"
    assert source.describe() == f"csv {path} (twitter)"


@pytest.mark.parametrize(
    ("text", "message"),
    [("id", "not a field=column pair"), ("id=", "not a field=column pair"), ("colour=c", "unknown post field")],
)
def test_parse_mapping_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_mapping(text)


def test_parse_mapping_ignores_empty_items() -> None:
    assert parse_mapping("id=a,,text=b,") == {"id": "a", "text": "b"}


@pytest.mark.parametrize(
    ("kwargs", "header", "message"),
    [
        ({}, "foo,bar\n", "cannot tell which column"),
        ({"mapping": {"id": "nope"}}, HEADER, "does not have"),
        ({"mapping": {"colour": "id"}}, HEADER, "unknown post field"),
        ({"delimiter": ";;"}, HEADER, "not a usable CSV delimiter"),
        ({"delimiter": '"'}, HEADER, "not a usable CSV delimiter"),
        ({"platform": "a:b"}, HEADER, "not a usable platform"),
        ({}, "", "has no header row"),
        ({}, 'id,"unterminated\n', "cannot read the header row"),
    ],
)
def test_usage_errors(tmp_path: Path, kwargs: dict[str, object], header: str, message: str) -> None:
    path = csv_file(tmp_path, "", header=header)
    with pytest.raises(UsageError, match=message):
        CsvSource(path, **kwargs)  # type: ignore[arg-type]


def test_missing_file_and_stdin(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        CsvSource(tmp_path / "nope.csv")
    with pytest.raises(UsageError, match="standard input"):
        CsvSource("-")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01 14:00:00+02:00", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("1714564800", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("1714564800.5", datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)),
        ("1714564800000", datetime(2024, 5, 1, 12, tzinfo=UTC)),  # milliseconds
        ("Wed May 01 12:00:00 +0000 2024", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_time(value: str, expected: datetime) -> None:
    assert parse_time(value) == expected


# --- resumption ---------------------------------------------------------------------------------------------


def messy_csv(tmp_path: Path) -> Path:
    rows = []
    for i in range(1, 41):
        if i % 9 == 0:
            rows.append(f'{i},2023-01-01T00:00:00Z,a,"bad"quote\n')  # strict: refused
        elif i % 7 == 0:
            rows.append(f"{i},2023-01-01T00:00:00Z,too,many,fields\n")
        elif i % 5 == 0:
            rows.append(f'{i},2023-01-01T00:00:00Z,a,"line one\nline two, with comma"\n')
        elif i % 11 == 0:
            rows.append("\n")
        else:
            rows.append(f"{i},{1672531200 + i},user{i % 3},post {i} #tag{i % 4}\r\n")
    return csv_file(tmp_path, "".join(rows))


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_paging_from_cursors_equals_reading_at_once(tmp_path: Path, limit: int) -> None:
    path = messy_csv(tmp_path)
    all_posts, all_rejected, _ = read_all(CsvSource(path))
    # Rows 9, 18, 27, 36: bad quotes; 7, 14, 21, 28, 35: too many fields; 11, 22, 33: blank.
    assert len(all_posts) == 40 - 4 - 5 - 3
    assert len(all_rejected) == 4 + 5
    paged_posts, paged_rejected, cursors = read_all(CsvSource(path), limit=limit)
    assert paged_posts == all_posts
    assert [(r.reason, r.location) for r in paged_rejected] == [(r.reason, r.location) for r in all_rejected]
    offsets = [int(c.split(":")[0]) for c in cursors]
    assert offsets == sorted(offsets)


def test_resume_after_a_restart(tmp_path: Path) -> None:
    path = messy_csv(tmp_path)
    expected, _, _ = read_all(CsvSource(path))
    posts: list[Post] = []
    cursor = None
    while True:
        source = CsvSource(path)
        page = source.fetch(cursor, 3)
        source.close()
        posts += page.posts
        cursor = page.cursor
        if page.done:
            break
    assert posts == expected
    # The line number may be left out of a cursor; it is recounted.
    offset = cursor.split(":")[0]  # type: ignore[union-attr]
    assert CsvSource(path).fetch(offset, 3).cursor == cursor


@pytest.mark.parametrize(("cursor", "message"), [("3:1", "header"), ("40:2", "not at the start of a line"),
                                                   ("99999:0", "past the end"), ("x", "not a file cursor")])
def test_bad_cursors(tmp_path: Path, cursor: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        CsvSource(messy_csv(tmp_path)).fetch(cursor, 3)


# --- bad rows ------------------------------------------------------------------------------------------------


def only_rejection(path: Path) -> Rejected:
    posts, rejected, _ = read_all(CsvSource(path))
    assert posts == []
    assert len(rejected) == 1, rejected
    return rejected[0]


def test_wrong_field_count_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "1,2023-01-01T00:00:00Z,a,ok\n2,2023-01-01T00:00:00Z,a\n")
    posts, rejected, _ = read_all(CsvSource(path))
    assert len(posts) == 1
    assert rejected[0].reason == "row has 3 fields, the header has 4"
    assert rejected[0].location == f"{path}:3"
    assert rejected[0].raw == b"2,2023-01-01T00:00:00Z,a\n"


def test_an_unterminated_quote_names_the_lines_it_swallowed(tmp_path: Path) -> None:
    path = csv_file(tmp_path, '1,2023-01-01T00:00:00Z,a,"never closed\n2,2023-01-01T00:00:00Z,b,x\n')
    rejected = only_rejection(path)
    assert rejected.reason.startswith("malformed CSV: unexpected end of data")
    assert rejected.location == f"{path}:2-3"
    assert b"2,2023" in rejected.raw


def test_a_huge_field_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    huge = "x" * (csv.field_size_limit() + 10)
    path = csv_file(tmp_path, f'1,2023-01-01T00:00:00Z,a,"{huge}"\n2,2023-01-01T00:00:00Z,b,fine\n')
    posts, rejected, _ = read_all(CsvSource(path))
    assert [p.id for p in posts] == ["csv:2"]
    assert "field larger than field limit" in rejected[0].reason
    assert len(rejected[0].raw) <= MAX_RAW_BYTES


def test_a_record_over_the_size_bound_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only reachable when something raised csv.field_size_limit (it is process-wide): the record
    # size bound still holds.
    import civicpulse.sources.csv as csv_source

    monkeypatch.setattr(csv_source, "MAX_RECORD_BYTES", 1000)
    old_limit = csv.field_size_limit(10**9)
    try:
        runaway = '1,2023-01-01T00:00:00Z,a,"' + ("z" * 99 + "\n") * 21 + '"\n'
        body = runaway + "2,2023-01-01T00:00:00Z,b,ok\n"
        posts, rejected, _ = read_all(CsvSource(csv_file(tmp_path, body)))
    finally:
        csv.field_size_limit(old_limit)
    assert rejected[0].reason.startswith("record larger than 1000 bytes")
    # Reading resumes inside the runaway field, so what follows cannot be trusted either; but every
    # line is accounted for by a located rejection, none is dropped.
    assert posts == []
    covered: set[int] = set()
    for item in rejected:
        first, _, last = item.location.rsplit(":", 1)[1].partition("-")
        covered.update(range(int(first), int(last or first) + 1))
    assert covered == set(range(2, 25))


def test_a_10mb_line_is_rejected(tmp_path: Path) -> None:
    huge = "1,2023-01-01T00:00:00Z,a," + "y" * (10 * 1024 * 1024) + "\n"
    path = csv_file(tmp_path, huge + "2,2023-01-01T00:00:00Z,b,ok\n")
    posts, rejected, cursors = read_all(CsvSource(path), limit=1)
    assert [p.id for p in posts] == ["csv:2"]
    assert rejected[0].reason.startswith("line 2 too long")
    assert len(rejected[0].raw) == MAX_RAW_BYTES
    assert cursors[-1] == f"{path.stat().st_size}:3"


def test_invalid_utf8_is_rejected(tmp_path: Path) -> None:
    path = csv_file(tmp_path, b"1,2023-01-01T00:00:00Z,a,caf\xe9\n2,2023-01-01T00:00:00Z,b,ok\n")
    posts, rejected, _ = read_all(CsvSource(path))
    assert [p.id for p in posts] == ["csv:2"]
    assert rejected[0].reason == "invalid UTF-8 at byte 28 of line 2 (is the file UTF-8?)"
    assert rejected[0].raw == b"1,2023-01-01T00:00:00Z,a,caf\xe9\n"


def test_nul_bytes_and_bidi_are_cleaned(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "1,2023-01-01T00:00:00Z,a,nul\x00 and \u202egnp.exe\u202c zero\u200bwidth\n")
    (post,), _, _ = read_all(CsvSource(path))
    assert post.text == "nul and gnp.exe zerowidth"
    assert post.raw is not None
    assert post.raw["text"] == "nul\x00 and \u202egnp.exe\u202c zero\u200bwidth"  # untouched


@pytest.mark.parametrize(
    ("value", "reason"),
    [("0000-01-01T00:00:00Z", "not ISO 8601"), ("9999-99-99", "not ISO 8601"), ("2999-01-01T00:00:00Z", "future"),
     ("0", "before 1990"), ("99999999999999999999", "out of range"), ("", "created_at is empty"),
     ("soon", "not ISO 8601")],
)
def test_impossible_timestamps_are_rejected(tmp_path: Path, value: str, reason: str) -> None:
    assert reason in only_rejection(csv_file(tmp_path, f"1,{value},a,text\n")).reason


@pytest.mark.parametrize(("row", "reason"), [(",2023-01-01T00:00:00Z,a,t", "id is empty"),
                                              ("1,2023-01-01T00:00:00Z,,t", "author is empty"),
                                              ("1 2,2023-01-01T00:00:00Z,a,t", "id is not a usable id")])
def test_unusable_ids_are_rejected(tmp_path: Path, row: str, reason: str) -> None:
    assert reason in only_rejection(csv_file(tmp_path, row + "\n")).reason


def test_author_names_with_spaces_are_usable_ids(tmp_path: Path) -> None:
    (post,), _, _ = read_all(CsvSource(csv_file(tmp_path, "1,2023-01-01T00:00:00Z,Jane  Doe\u202e,t\n")))
    assert post.author.id == "Jane  Doe"  # the bidi control goes, the spacing stays


def test_duplicate_ids_are_passed_through(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "1,2023-01-01T00:00:00Z,a,one\n1,2023-01-01T00:00:00Z,a,one\n")
    posts, _, _ = read_all(CsvSource(path))
    assert [p.id for p in posts] == ["csv:1", "csv:1"]


def test_bom_and_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,created_at,author,text\r\n1,2023-01-01T00:00:00Z,a,t\r\n")
    assert [p.id for p in read_all(CsvSource(path))[0]] == ["csv:1"]
    path.write_bytes(b"id,created_at,author,text\n1,2023-01-01T00:00:00Z,a,t\r2,2023-01-01T00:00:00Z,a,t\n")
    assert "new-line character" in only_rejection(path).reason


# --- arbitrary content ---------------------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['"', '""', "\n", "\r\n", ",", "2023-01-01T00:00:00Z", "1700000000", "x\x00y", "\ufeff", "\u202e"]),
)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=6).map(",".join), max_size=10).map("\n".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ROWS, st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape"))),
       st.sampled_from([1, 2, 1000]))
def test_arbitrary_csv_never_raises_and_paging_agrees(body: str, limit: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(HEADER.encode() + body.encode("utf-8", "surrogateescape"))
        everything = read_all(CsvSource(path))
        paged = read_all(CsvSource(path), limit=limit)
    assert paged[0] == everything[0]
    assert [(r.reason, r.location) for r in paged[1]] == [(r.reason, r.location) for r in everything[1]]
    for rejected in everything[1]:
        assert rejected.reason
        assert rejected.location.startswith(str(path) + ":")
        assert len(rejected.raw) <= MAX_RAW_BYTES
    for post in everything[0]:
        assert post.created_at.tzinfo is UTC
        assert post.id.startswith("csv:")
