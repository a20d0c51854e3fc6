"""Slips of the thumb: one Damerau edit from a known word, in no dictionary, judged only on words
worth judging."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.detectors.slips import (
    MIN_SLIP_CHARS,
    SlipIndex,
    is_one_edit,
    likely_slip,
    one_edit_away,
    reference_vocabulary,
    space_slip,
)
from civicpulse.detectors.terms import adjacent_words

KNOWN = {"alight", "chinese", "people", "warehouse", "straße", "bakery", "roads"}
NO_WORDS: frozenset[str] = frozenset()


def test_each_kind_of_edit_is_one_away() -> None:
    edits = set(one_edit_away("bakery"))
    assert {"bakey", "bakerry", "abkery", "bakeru", "bakeryx"} <= edits  # delete, insert, swap, substitute
    assert "bakery" not in edits
    assert "bkaeyr" not in edits  # two swaps


def test_a_never_seen_word_one_edit_from_a_known_one_is_a_slip() -> None:
    for slip in ("alightn", "hinese", "peopl", "warehosue", "strase"):
        assert likely_slip(slip, KNOWN.__contains__, NO_WORDS), slip


def test_new_names_hashtags_numbers_and_short_words_are_not_slips() -> None:
    for word in ("zorblax", "quendle", "#bakery", "bakery2", "orc", "peop", "h3:8a1", "l'eau"):
        assert not likely_slip(word, KNOWN.__contains__, NO_WORDS), word


def test_a_word_of_the_reference_vocabulary_is_never_a_slip() -> None:
    # "loads" is one letter from "roads", but people write it: a search's first story was lost
    # to taking it for a slip before the vocabulary.
    assert likely_slip("loads", KNOWN.__contains__, NO_WORDS)
    assert not likely_slip("loads", KNOWN.__contains__, frozenset({"loads"}))


def test_the_english_vocabulary_holds_words_people_write_and_not_their_slips() -> None:
    english = reference_vocabulary("en")
    assert english is not None
    assert len(english) > 10_000
    assert {"loads", "searching", "helicopter", "flooded", "chinese", "tomorrow"} <= english
    assert not {"alightn", "hinese", "omorrow", "degreest"} & english
    assert all(len(word) >= MIN_SLIP_CHARS and word.isalpha() for word in english)


def test_languages_without_a_vocabulary_are_not_judged() -> None:
    assert reference_vocabulary("fr") is None
    assert reference_vocabulary(None) is None


WORDS = {"route", "fermée", "des", "nouvelles", "kick", "off", "in", "place", "alight", "near"}


def test_half_of_a_misplaced_space_is_a_slip_in_any_language() -> None:
    for text, word in (("Routef ermée à Neudorf", "routef"), ("Routef ermée à Neudorf", "ermée"),
                       ("Desn ouvelles ?", "desn"), ("Kic koff moved to 22:00", "koff"),
                       ("Diversion still inp lace", "inp"), ("Car alightn ear Harehills", "alightn")):
        assert space_slip(word, adjacent_words(text), WORDS.__contains__), (text, word)


def test_new_words_beside_others_are_not_space_slips() -> None:
    for text, word in (("Explosion at the Quendle works", "quendle"), ("Route zorblax fermée", "zorblax"),
                       ("Routef, ermée", "routef"), ("Kic #koff", "kic")):
        assert not space_slip(word, adjacent_words(text), WORDS.__contains__), (text, word)


@given(st.sampled_from(sorted(WORDS)), st.sampled_from(sorted(WORDS)), st.booleans())
def test_any_misplaced_space_between_two_words_is_found(left: str, right: str, leftwards: bool) -> None:
    a, b = (left[:-1], left[-1] + right) if leftwards else (left + right[0], right[1:])
    if a and b:
        assert space_slip(b, adjacent_words(f"{a} {b}"), WORDS.__contains__)


letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüñ", min_size=MIN_SLIP_CHARS + 1, max_size=14)


@given(letters, st.data())
def test_any_single_edit_of_a_known_word_is_found(word: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(word) - 1))
    letter = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyzàéüñß"))
    kind = data.draw(st.sampled_from(["delete", "insert", "substitute", "swap"]))
    edited = {
        "delete": word[:position] + word[position + 1:],
        "insert": word[:position] + letter + word[position:],
        "substitute": word[:position] + letter + word[position + 1:],
        "swap": word[:position] + word[position + 1:position + 2] + word[position] + word[position + 2:],
    }[kind]
    if edited != word:
        assert likely_slip(edited, {word}.__contains__, NO_WORDS)


@given(st.text(max_size=40))
def test_any_text_is_judged_without_error(word: str) -> None:
    assert isinstance(likely_slip(word, KNOWN.__contains__, NO_WORDS), bool)
    assert word not in set(one_edit_away(word))


INCIDENT = SlipIndex(("police", "searching", "feuerwehr", "inondée", "fire", "helicopter"))


def test_the_index_finds_the_word_a_slip_stands_for() -> None:
    for slip, word in (("poliice", "police"), ("polce", "police"), ("searhcing", "searching"),
                       ("feuerewhr", "feuerwehr"), ("inonde", "inondée"), ("helicopterr", "helicopter"),
                       ("polise", "police")):
        assert INCIDENT.target_of(slip) == word, slip


def test_the_index_ignores_the_word_itself_two_edits_and_short_words() -> None:
    assert INCIDENT.target_of("police") is None  # not a slip: the word
    assert INCIDENT.target_of("plice2") is None
    assert INCIDENT.target_of("poilce") == "police"
    assert INCIDENT.target_of("pilcoe") is None  # two edits
    assert INCIDENT.target_of("fires") is None  # "fire" is too short a target to be judged
    assert INCIDENT.target_of("polc") is None  # too short to judge
    assert not SlipIndex(())
    assert SlipIndex(("rusholme",), min_chars=6).target_of("rushomle") == "rusholme"
    assert SlipIndex(("kehl",), min_chars=6).target_of("kehll") is None


WORD = st.text(alphabet="abcdeéß", min_size=MIN_SLIP_CHARS - 1, max_size=9)


@given(WORD, WORD)
def test_one_edit_agrees_with_the_list_of_every_edit(a: str, b: str) -> None:
    assert is_one_edit(a, b) == (b in set(one_edit_away(a)))


@given(st.lists(WORD, min_size=1, max_size=5), st.data())
def test_the_index_finds_a_target_for_every_slip_of_one(targets: list[str], data: st.DataObject) -> None:
    index = SlipIndex(targets)
    target = data.draw(st.sampled_from([t for t in targets if len(t) >= MIN_SLIP_CHARS] or [""]))
    if not target:
        return
    slip = data.draw(st.sampled_from(sorted(set(one_edit_away(target)))))
    found = index.target_of(slip)
    if len(slip) < MIN_SLIP_CHARS or slip in targets:
        return
    assert found is not None
    assert is_one_edit(slip, found)
