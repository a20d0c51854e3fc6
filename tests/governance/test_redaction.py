"""The pseudonymised view of a post: mentions and personal data hidden, the stored post untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.governance.redaction import MENTION, MENTION_KEY_FILE, Redactor, redactor_for
from civicpulse.testing import make_post

REDACTOR = Redactor(b"k" * 32)


def test_mentions_become_keyed_pseudonyms_the_same_for_the_same_account() -> None:
    out = REDACTOR.text("@Alice is with @alice, not @bob.")
    first, second, third = out.split()[0], out.split()[3].rstrip(","), out.split()[5].rstrip(".")
    assert first == second != third
    assert first.startswith("@ps:")
    assert len(first) == len("@ps:") + 16
    assert out.endswith(".")  # the full stop that ends the sentence is not part of the handle
    assert "alice" not in out.casefold()
    assert "bob" not in out
    assert Redactor(b"j" * 32).mention("alice") != REDACTOR.mention("alice")  # keyed: no lookup table


@pytest.mark.parametrize(("text", "expected"), [
    ("RT @jolocal19970: Kick off moved", "RT {m}: Kick off moved"),
    ("hi @carol@mastodon.social!", "hi {m}!"),  # a Mastodon handle, not an e-mail address
    ("thanks @carol.bsky.social.", "thanks {m}."),  # a Bluesky domain handle
    ("write to carol@example.org", "write to [EMAIL]"),
    ("Call Dr Jane Smith on +44 7700 900123", "Call Dr [PERSON] on [PHONE]"),
])
def test_what_a_post_names_is_hidden(text: str, expected: str) -> None:
    handle = MENTION.search(text)
    mention = REDACTOR.mention(handle.group(1)) if handle and "@example" not in text else ""
    assert REDACTOR.text(text) == expected.format(m=mention)


def test_text_that_names_nobody_is_unchanged() -> None:
    for text in ("Gridlock in Leeds again", "", "a@b", "@", "email me at home", "10 @ 5pm"):
        assert REDACTOR.text(text) == text


def test_the_analysers_stored_spans_are_used_and_bad_ones_not_trusted() -> None:
    text = "Ask Jo about it"  # a name no pattern finds: only an entity model would
    assert REDACTOR.text(text, {"spans": [{"start": 4, "end": 6, "kind": "person"}]}) == "Ask [PERSON] about it"
    assert REDACTOR.text(text, {"spans": [{"start": 4}]}) == text  # malformed: found again, nothing
    assert REDACTOR.text(text, {"spans": [{"start": 4, "end": 999, "kind": "person"}]}) == "Ask [PERSON]"
    post = make_post(1, text).replace(enrichments={"personal_data/1": {"spans": [
        {"start": 4, "end": 6, "kind": "person"}], "kinds": ["person"]}})
    assert REDACTOR.post_text(post) == "Ask [PERSON] about it"
    assert post.text == text


def test_a_record_for_a_pseudonymised_export() -> None:
    record = {"id": "x:1", "text": "@Dan saw it, mail dan@example.org", "url": "https://m.example/@dan/1",
              "mentions": ["@Dan"], "enrichments": {
                  "surface/1": {"mentions": ["dan"], "hashtags": []},
                  "personal_data/1": {"spans": [{"start": 18, "end": 33, "kind": "email"}], "kinds": ["email"]}}}
    out = REDACTOR.record(record)
    dan = REDACTOR.mention("dan")
    assert out["text"] == f"{dan} saw it, mail [EMAIL]"
    assert "url" not in out
    assert out["mentions"] == [dan]
    assert out["enrichments"]["surface/1"]["mentions"] == [dan]
    assert out["enrichments"]["personal_data/1"] == {"kinds": ["email"]}


_HANDLES = st.text(alphabet="ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ_", min_size=3, max_size=15)
_FILLER = st.text(alphabet="0123456789 .,:;!?()-+\n\u00e9\u4e2d", max_size=12)


@given(st.lists(st.tuples(_FILLER, _HANDLES, st.sampled_from(["", "@mastodon.social", ".bsky.social"])),
                max_size=8), _FILLER)
def test_no_mentioned_handle_survives(parts: list[tuple[str, str, str]], tail: str) -> None:
    # Filler that cannot run into a handle (no letters of it, no hex digits of a pseudonym).
    text = "".join(f"{before} @{handle}{server} " for before, handle, server in parts) + tail
    out = REDACTOR.text(text)
    for _before, handle, _server in parts:
        assert handle.casefold() not in out.casefold(), (text, out)


@given(st.text(max_size=300))
def test_any_text_gives_text(text: str) -> None:
    assert isinstance(REDACTOR.text(text), str)


def test_hostile_sizes_cost_linear_time() -> None:
    for text in ("@a " * 33_000, "a@b.co @c " * 10_000, "@" * 100_000):
        assert len(REDACTOR.text(text)) >= len(text) // 2  # returns (in well under a second), no error


def test_the_deployment_key_is_created_private_and_reused(tmp_path: Path) -> None:
    first = redactor_for(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / MENTION_KEY_FILE).st_mode)
    assert mode == 0o600
    redactor_for.cache_clear()
    assert redactor_for(tmp_path).mention("x") == first.mention("x")
