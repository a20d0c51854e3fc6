"""The JSON Lines source: resumable, bounded, and never crashing or dropping a record."""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.errors import UsageError
from civicpulse.post import Post
from civicpulse.sources.base import MAX_RAW_BYTES, Page, Rejected
from civicpulse.sources.jsonl import MAX_LINE_BYTES, JsonlSource, looks_wide
from civicpulse.testing import read_all

FIXTURES = Path(__file__).parent.parent / "fixtures"
ALL_FIXTURES = ("twarc2_page.jsonl", "twarc2_flat.jsonl", "mastodon_statuses.jsonl", "civicpulse_posts.jsonl")


def write(path: Path, *lines: bytes, newline: bytes = b"\n") -> Path:
    path.write_bytes(b"".join(line + newline for line in lines))
    return path


def fixture_line(name: str, index: int = 0) -> bytes:
    return (FIXTURES / name).read_bytes().splitlines()[index]


def only_rejection(path: Path) -> Rejected:
    posts, rejected, _ = read_all(JsonlSource(path))
    assert posts == []
    assert len(rejected) == 1
    return rejected[0]


def test_registered() -> None:
    from civicpulse.registry import sources

    # Looked up without loading every built-in (other plug-ins are not this test's business).
    assert sources._items["jsonl"] is JsonlSource


def test_reads_every_fixture_format(tmp_path: Path) -> None:
    lines = [line for name in ALL_FIXTURES for line in (FIXTURES / name).read_bytes().splitlines()]
    path = write(tmp_path / "mixed.jsonl", *lines)
    source = JsonlSource(path)
    posts, rejected, cursors = read_all(source)
    assert rejected == []
    assert len(posts) == 4 + 1 + 3 + 2
    assert {p.platform for p in posts} == {"twitter", "mastodon", "csv"}
    assert cursors[-1] == f"{path.stat().st_size}:7"
    assert source.total_hint() is None
    assert "mixed.jsonl" in source.describe()
    source.close()


def mixed_file(path: Path) -> Path:
    """Good lines of every format, interleaved with bad, blank and awkward ones."""
    good = [fixture_line(name, i) for name in ALL_FIXTURES
            for i in range(len((FIXTURES / name).read_bytes().splitlines()))]
    bad = [b'{"broken": ', b"\xff\xfe not utf-8", b"", b"   \t", b'{"hello": "world"}', b"[1, 2]", b"null"]
    lines: list[bytes] = []
    for i in range(30):
        lines.append(good[i % len(good)])
        lines.append(bad[i % len(bad)])
    return write(path, *lines)


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_paging_from_cursors_equals_reading_at_once(tmp_path: Path, limit: int) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    all_posts, all_rejected, _ = read_all(JsonlSource(path))
    # 30 good lines (5 of them twarc pages of 4 tweets) and 30 bad ones: 8 blank, "[1, 2]" twice over.
    assert (len(all_posts), len(all_rejected)) == (5 * 4 + 25, 5 + 5 + 4 + 4 * 2 + 4)
    paged_posts, paged_rejected, cursors = read_all(JsonlSource(path), limit=limit)
    assert [p.id for p in paged_posts] == [p.id for p in all_posts]
    assert paged_posts == all_posts
    assert [(r.reason, r.location) for r in paged_rejected] == [(r.reason, r.location) for r in all_rejected]
    offsets = [int(c.split(":")[0]) for c in cursors]
    assert offsets == sorted(offsets)


def test_resume_after_a_restart(tmp_path: Path) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    expected, expected_rejected, _ = read_all(JsonlSource(path))
    posts: list[Post] = []
    rejected: list[Rejected] = []
    cursor = None
    while True:
        source = JsonlSource(path)  # a new process each time, resuming from the stored cursor
        page = source.fetch(cursor, 3)
        source.close()
        posts += page.posts
        rejected += page.rejected
        cursor = page.cursor
        if page.done:
            break
    assert posts == expected
    assert [r.location for r in rejected] == [r.location for r in expected_rejected]


def test_a_cursor_without_line_number_recounts_lines(tmp_path: Path) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    source = JsonlSource(path)
    first = source.fetch(None, 5)
    offset, lineno = first.cursor.split(":")  # type: ignore[union-attr]
    again = JsonlSource(path).fetch(offset, 5)
    continued = source.fetch(first.cursor, 5)
    assert again.posts == continued.posts
    assert [r.location for r in again.rejected] == [r.location for r in continued.rejected]
    assert again.cursor == continued.cursor
    assert int(lineno) > 0


def test_a_fetch_cut_short_does_not_corrupt_the_position(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicpulse.sources.formats import decode_line as real

    path = mixed_file(tmp_path / "mixed.jsonl")
    expected = JsonlSource(path).fetch(None, 6)
    source = JsonlSource(path)
    calls = 0

    def interrupted(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr("civicpulse.sources.jsonl.decode_line", interrupted)
    with pytest.raises(KeyboardInterrupt):
        source.fetch(None, 6)
    monkeypatch.setattr("civicpulse.sources.jsonl.decode_line", real)
    assert source.fetch(None, 6) == expected


@pytest.mark.parametrize(
    ("cursor", "message"),
    [("999999:3", "past the end"), ("5:1", "not at the start of a line"), ("abc", "not a file cursor"),
     ("-1:0", "not a file cursor"), ("1:x", "not a file cursor")],
)
def test_bad_cursors_are_refused(tmp_path: Path, cursor: str, message: str) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl")
    with pytest.raises(UsageError, match=message):
        JsonlSource(path).fetch(cursor, 3)


def test_end_of_file_is_done_and_the_cursor_stays(tmp_path: Path) -> None:
    path = write(tmp_path / "one.jsonl", fixture_line("twarc2_flat.jsonl"))
    source = JsonlSource(path)
    page = source.fetch(None, 1)
    assert len(page.posts) == 1
    assert page.done  # known without another read
    again = source.fetch(page.cursor, 10)
    assert again == Page(cursor=page.cursor, done=True)
    empty = JsonlSource(write(tmp_path / "empty.jsonl"))
    assert empty.fetch(None, 10) == Page(cursor="0:0", done=True)


# --- bad input -------------------------------------------------------------------------------------------


def test_malformed_json_is_rejected_with_its_location(tmp_path: Path) -> None:
    good = fixture_line("twarc2_flat.jsonl")
    path = write(tmp_path / "bad.jsonl", good, b'{"id": 1,', good)
    posts, rejected, _ = read_all(JsonlSource(path))
    assert len(posts) == 2
    assert rejected[0].reason.startswith("malformed JSON")
    assert rejected[0].location == f"{path}:2"
    assert rejected[0].raw == b'{"id": 1,'
    assert rejected[0].stage == "parse"


def test_invalid_utf8_is_rejected_not_repaired(tmp_path: Path) -> None:
    line = fixture_line("mastodon_statuses.jsonl").replace(b"Bike lane", b"Bik\xe9 lane")
    rejected = only_rejection(write(tmp_path / "latin1.jsonl", line))
    position = line.index(b"\xe9")
    assert rejected.reason == f"invalid UTF-8 at byte {position} of the line (is the file UTF-8?)"
    assert rejected.raw == line


def test_a_latin1_file_is_rejected_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    text = "\n".join(json.dumps(json.loads(line), ensure_ascii=False)
                     for line in (FIXTURES / "civicpulse_posts.jsonl").read_text("utf-8").splitlines())
    path.write_bytes(text.replace("👩\u200d💻", "").replace("\u202e", "").replace("\u200b", "")
                     .replace("Traffic", "Trafic à").encode("latin-1"))
    posts, rejected, _ = read_all(JsonlSource(path))
    assert len(posts) == 1  # the pure-ASCII line
    assert [r.location for r in rejected] == [f"{path}:1"]
    assert "invalid UTF-8" in rejected[0].reason


def test_a_10mb_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    huge = b'{"text": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    path = write(tmp_path / "huge.jsonl", fixture_line("twarc2_flat.jsonl"), huge, fixture_line("twarc2_flat.jsonl"))
    posts, rejected, cursors = read_all(JsonlSource(path), limit=1)
    assert len(posts) == 2
    assert len(rejected) == 1
    assert rejected[0].reason.startswith("line too long")
    assert rejected[0].location == f"{path}:2"
    assert len(rejected[0].raw) == MAX_RAW_BYTES
    assert cursors[-1] == f"{path.stat().st_size}:3"


def test_a_line_of_exactly_the_maximum_is_read(tmp_path: Path) -> None:
    line = b'{"t": "' + b"x" * (MAX_LINE_BYTES - 10) + b'"}'
    assert len(line) == MAX_LINE_BYTES - 1
    rejected = only_rejection(write(tmp_path / "max.jsonl", line + b" "))
    assert rejected.reason.startswith("unrecognised record")  # parsed, not "too long"


def test_nul_bytes(tmp_path: Path) -> None:
    status = json.loads(fixture_line("mastodon_statuses.jsonl"))
    status["content"] = "<p>nul\u0000here</p>"
    path = write(tmp_path / "nul.jsonl", json.dumps(status).encode(), b'{"a": "raw\x00nul"}', b"\x00\x00\x00")
    posts, rejected, _ = read_all(JsonlSource(path))
    assert posts[0].text == "nulhere"
    assert [r.reason.split(":")[0] for r in rejected] == ["malformed JSON", "malformed JSON"]


@pytest.mark.parametrize(
    ("created_at", "reason"),
    [("0000-01-01T00:00:00Z", "not an ISO 8601 timestamp"), ("9999-99-99T00:00:00Z", "not an ISO 8601 timestamp"),
     ("2999-12-31T00:00:00Z", "is in the future"), ("1969-12-31T23:59:59Z", "before 1990"),
     ("yesterday", "not an ISO 8601 timestamp"), ("9999-12-31T23:59:59-12:00", "out of range")],
)
def test_impossible_timestamps_are_rejected(tmp_path: Path, created_at: str, reason: str) -> None:
    status = json.loads(fixture_line("mastodon_statuses.jsonl"))
    status["created_at"] = created_at
    assert reason in only_rejection(write(tmp_path / "time.jsonl", json.dumps(status).encode())).reason


def test_unknown_fields_are_kept_in_raw_never_an_error(tmp_path: Path) -> None:
    tweet = json.loads(fixture_line("twarc2_flat.jsonl"))
    tweet["brand_new_field"] = {"x": [1, 2]}
    post = read_all(JsonlSource(write(tmp_path / "u.jsonl", json.dumps(tweet).encode())))[0][0]
    assert post.raw is not None
    assert post.raw["brand_new_field"] == {"x": [1, 2]}


def test_duplicate_ids_are_passed_through(tmp_path: Path) -> None:
    line = fixture_line("mastodon_statuses.jsonl")
    posts, rejected, _ = read_all(JsonlSource(write(tmp_path / "dup.jsonl", line, line)))
    assert rejected == []
    assert [p.id for p in posts] == ["mastodon:social.example/109876543210987654"] * 2


def test_rtl_and_zero_width_characters_are_normalised(tmp_path: Path) -> None:
    status = json.loads(fixture_line("mastodon_statuses.jsonl"))
    status["content"] = (
        "<p>pay \u202eutf.exe\u202c now, b\u200bomb, \u2066isolate\u2069, ZWJ 👩\u200d💻 فارسی\u200cها</p>"
    )
    post = read_all(JsonlSource(write(tmp_path / "rtl.jsonl", json.dumps(status).encode())))[0][0]
    assert post.text == "pay utf.exe now, bomb, isolate, ZWJ 👩\u200d💻 فارسی\u200cها"


def test_script_in_mastodon_content_becomes_inert_text(tmp_path: Path) -> None:
    status = json.loads(fixture_line("mastodon_statuses.jsonl"))
    status["content"] = (
        '<p>hi<script>document.cookie</script><img src=x onerror="alert(1)"> &lt;script&gt;x&lt;/script&gt;</p>'
    )
    post = read_all(JsonlSource(write(tmp_path / "xss.jsonl", json.dumps(status).encode())))[0][0]
    assert post.text == "hi <script>x</script>"  # escaped markup stays visible as text, never markup


def test_line_endings_bom_and_a_missing_final_newline(tmp_path: Path) -> None:
    line = fixture_line("twarc2_flat.jsonl")
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line + b"\r\n\r\n" + line)
    posts, rejected, cursors = read_all(JsonlSource(path))
    assert len(posts) == 2
    assert rejected == []
    assert cursors[-1] == f"{path.stat().st_size}:3"


def test_a_twarc_page_line_expands_into_many_posts(tmp_path: Path) -> None:
    path = write(tmp_path / "page.jsonl", fixture_line("twarc2_page.jsonl"), fixture_line("twarc2_flat.jsonl"))
    page = JsonlSource(path).fetch(None, 1)
    assert len(page.posts) == 4  # one line is never split; the page may hold more than limit
    assert not page.done


def test_a_bad_tweet_inside_a_page_is_located(tmp_path: Path) -> None:
    data = json.loads(fixture_line("twarc2_page.jsonl"))
    data["data"][2]["id"] = "not-a-number"
    path = write(tmp_path / "p.jsonl", json.dumps(data).encode())
    posts, rejected, _ = read_all(JsonlSource(path))
    assert len(posts) == 3
    assert rejected[0].location == f"{path}:1 data[2]"
    assert json.loads(rejected[0].raw) == data["data"][2]


def test_explicit_format(tmp_path: Path) -> None:
    path = write(tmp_path / "m.jsonl", fixture_line("mastodon_statuses.jsonl"), fixture_line("twarc2_flat.jsonl"))
    posts, rejected, _ = read_all(JsonlSource(path, format="mastodon"))
    assert len(posts) == 1
    assert rejected[0].reason == "status has no account"
    with pytest.raises(UsageError, match="unknown input format"):
        JsonlSource(path, format="rss")


# --- files and standard input -----------------------------------------------------------------------------


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file") as caught:
        JsonlSource(tmp_path / "nope.jsonl")
    assert caught.value.fix
    with pytest.raises(UsageError, match="is a directory"):
        JsonlSource(tmp_path)


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_utf16_files_are_refused(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(bom + "{}\n".encode("utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"))
    with pytest.raises(UsageError, match="UTF-16"):
        JsonlSource(path)


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BufferedReader(io.BytesIO(data))


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [fixture_line("twarc2_flat.jsonl"), b"garbage", fixture_line("mastodon_statuses.jsonl", 2)]
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"\n".join(lines) + b"\n"))
    source = JsonlSource("-")
    first = source.fetch(None, 2)
    assert len(first.posts) == 1
    assert first.rejected[0].location == "<stdin>:2"
    assert not first.done
    second = source.fetch(first.cursor, 2)
    assert len(second.posts) == 1
    last = source.fetch(second.cursor, 2)
    assert last.done
    assert source.describe() == "jsonl <stdin> (auto)"
    with pytest.raises(UsageError, match="cannot be rewound"):
        source.fetch(first.cursor, 2)
    source.close()  # leaves the real standard input alone


def test_stdin_cannot_resume_a_stored_cursor_and_starts_from_the_beginning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(fixture_line("twarc2_flat.jsonl") + b"\n"))
    page = JsonlSource("-").fetch("12345:9", 10)
    assert len(page.posts) == 1
    assert page.cursor == f"{len(fixture_line('twarc2_flat.jsonl')) + 1}:1"


# --- every line is accounted for, whatever the bytes --------------------------------------------------

GOOD_LINES = [fixture_line(n, i) for n in ("twarc2_flat.jsonl", "mastodon_statuses.jsonl", "civicpulse_posts.jsonl")
              for i in range(len((FIXTURES / n).read_bytes().splitlines()))]
LINES = st.one_of(
    st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from(GOOD_LINES),
    st.sampled_from(GOOD_LINES).flatmap(
        lambda line: st.tuples(st.integers(0, len(line)), st.binary(max_size=3)).map(
            lambda cut: (line[: cut[0]] + cut[1] + line[cut[0] + 1:]).replace(b"\n", b""))),
    st.sampled_from([b"", b" ", b"\t\r", b"[]", b"[[1]]", b"{}", b"\xef\xbb\xbf{}", b"\x00", b'"\\ud800"']),
)


def holds_records(line: bytes, fmt: str) -> bool:
    """Not blank, and not an empty JSON array (an empty page of results, legitimately nothing;
    except in the civicpulse format, where every line must be one post)."""
    stripped = line.strip(b" \t\r\n\x0b\x0c")
    if fmt == "civicpulse":
        return bool(stripped)
    return bool(stripped) and re.fullmatch(rb"\[[ \t\r\n]*\]", stripped) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=12), st.sampled_from(["auto", "mastodon", "civicpulse", "twitter-v2"]))
def test_arbitrary_lines_never_raise_and_every_line_is_accounted_for(lines: list[bytes], fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "fuzz.jsonl", *lines)
        if looks_wide(path.read_bytes()[:4]):
            with pytest.raises(UsageError, match="UTF-16"):
                JsonlSource(path, format=fmt)
            return
        source = JsonlSource(path, format=fmt)
        consumed: list[tuple[int, int]] = []  # (line number, results) per fetch of one item
        cursor = None
        while True:
            page = source.fetch(cursor, 1)
            count = len(page.posts) + len(page.rejected)
            lineno = int(page.cursor.split(":")[1])  # type: ignore[union-attr]
            if count:
                consumed.append((lineno, count))
            cursor = page.cursor
            for rejected in page.rejected:
                assert not rejected.reason.startswith("internal error"), rejected.reason
                assert len(rejected.raw) <= MAX_RAW_BYTES
                assert rejected.location.startswith(f"{path}:{lineno}")
            if page.done:
                break
        source.close()
        path_size = path.stat().st_size
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines = [lines[0][3:], *lines[1:]]  # the byte-order mark is skipped
    expected = [i + 1 for i, line in enumerate(lines) if holds_records(line, fmt)]
    # Each non-blank line yields at least one result (more only for a JSON array), in order.
    assert [lineno for lineno, _ in consumed] == expected
    assert cursor == f"{path_size}:{len(lines)}"

