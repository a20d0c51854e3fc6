from __future__ import annotations

from civicpulse.detectors.incident_lexicon import INCIDENT_WORDS, is_incident_term
from civicpulse.detectors.terms import STOP_WORDS, post_terms
from civicpulse.testing import make_post


def test_words_and_hashtags_of_the_incident_vocabulary_in_four_languages() -> None:
    for term in ("police", "#police", "pompiers", "feuerwehr", "bomberos", "inondée", "hélicoptère"):
        assert is_incident_term(term)
    for term in ("coffee", "cell:51.50,-0.12", "#findmaya", "polic", ""):
        assert not is_incident_term(term)


def test_every_word_is_a_term_the_detector_can_see() -> None:
    # Lower case, kept by the tokeniser (not a stop word, at least three letters): a word that can
    # never be a term would be dead weight.
    for word in INCIDENT_WORDS:
        assert word == word.lower()
        assert word not in STOP_WORDS
        assert post_terms(make_post(text=f"x {word} x")) == [word]
