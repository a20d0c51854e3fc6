from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civicpulse.detectors.terms import MAX_TERM_CHARS, MAX_TERMS_PER_POST, adjacent_words, post_terms, text_terms
from civicpulse.post import Geo, GeoSource
from civicpulse.testing import make_post


def test_words_hashtags_and_cells_but_not_mentions_links_or_stop_words() -> None:
    post = make_post(text="The FIRE at #DockStreet @someone https://x.example/a fire!").replace(
        geo=Geo(source=GeoSource.GEOTAG, lat=51.5012, lon=-0.1234))
    assert post_terms(post) == ["fire", "#dockstreet", "cell:51.50,-0.12"]


def test_a_places_enrichment_cell_wins_over_the_point() -> None:
    post = make_post(text="smoke").with_enrichments({"places.gazetteer/1": {"h3": "8928308280fffff"}})
    assert post_terms(post) == ["smoke", "h3:8928308280fffff"]


@given(st.text(max_size=5000))
def test_any_text_gives_a_bounded_list_of_distinct_terms(text: str) -> None:
    terms = post_terms(make_post(text=text))
    assert len(terms) <= MAX_TERMS_PER_POST
    assert len(set(terms)) == len(terms)
    assert all(0 < len(t) <= MAX_TERM_CHARS for t in terms)


def test_contractions_are_stop_words_whichever_apostrophe() -> None:
    assert text_terms("Heard they’re looting, they're sure it’s bad; l’eau monte") == ["heard", "looting", "sure",
                                                                                      "bad", "l'eau", "monte"]


def test_adjacent_words_are_the_pairs_only_white_space_separates() -> None:
    assert adjacent_words("Route fermée à Kehl, de l’eau!") == [("route", "fermée"), ("fermée", "à"), ("à", "kehl"),
                                                             ("de", "l'eau")]
    # A link, a mention or a hashtag's sign stands between words; punctuation does too.
    assert adjacent_words("near @bob Kehl https://x.example/a b #kehl now") == [("kehl", "now")]


@given(st.text(max_size=300))
def test_adjacent_words_of_any_text_are_words_of_it(text: str) -> None:
    for left, right in adjacent_words(text):
        assert left
        assert right
        assert " " not in left + right
