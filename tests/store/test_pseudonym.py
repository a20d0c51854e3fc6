from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.testing import make_post


def test_pseudonyms_are_keyed_stable_and_platform_scoped() -> None:
    one, other = Pseudonymiser(b"a" * 32), Pseudonymiser(b"b" * 32)
    assert one.pseudonym("x", "42") == one.pseudonym("x", "42")
    assert one.pseudonym("x", "42") != other.pseudonym("x", "42")
    assert one.pseudonym("x", "42") != one.pseudonym("y", "42")


def test_apply_strips_clear_identity_and_reports_it_once() -> None:
    posts = [make_post(1, author="alice"), make_post(2, author="alice"), make_post(3, author="bob")]
    out, found = Pseudonymiser(b"k" * 32).apply(posts)
    assert all(p.author.id.startswith("ps:") and p.author.handle is None for p in out)
    assert sorted(i.account_id for i in found) == ["alice", "bob"]


def test_already_pseudonymised_posts_pass_through() -> None:
    pseudonymiser = Pseudonymiser(b"k" * 32)
    out, _ = pseudonymiser.apply([make_post(1)])
    again, found = pseudonymiser.apply(out)
    assert again == out
    assert found == []


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymiser(b"short")


@given(st.text(), st.text())
def test_any_account_id_gets_a_fixed_size_pseudonym(platform: str, account: str) -> None:
    assert len(Pseudonymiser(b"k" * 32).pseudonym(platform, account)) == 35
