"""The analyser chain is built from the deployment's settings, in order, and checked before the first post."""

from __future__ import annotations

import pytest

from civicpulse.analysers.places import PlacesAnalyser
from civicpulse.config import load_settings
from civicpulse.errors import PluginError
from civicpulse.pipeline.chain import build_analysers


def test_settings_reach_the_analysers_that_have_some() -> None:
    settings = load_settings(None, {}, places_h3_resolution=5)
    (places,) = build_analysers(["places"], settings)
    assert isinstance(places, PlacesAnalyser)
    assert places.resolution == 5


def test_an_unknown_analyser_names_the_known_ones() -> None:
    with pytest.raises(PluginError, match="no analyser called 'nope'"):
        build_analysers(["nope"], load_settings(None, {}))
