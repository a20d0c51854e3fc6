"""Rate curves: an incident's jump at its onset, its growth, plateau and decay."""

from __future__ import annotations

import numpy as np
import pytest

from civicpulse.scenarios import curves


@pytest.mark.parametrize("growth", ["logistic", "exponential"])
def test_an_incident_starts_at_its_onset_share_of_the_peak(growth: str) -> None:
    x = np.array([-1.0, 0.0, 30.0, 600.0, 1199.0])
    without = curves.incident(x, growth, rise=1200.0, hold=0.0, decay=600.0)
    shaped = curves.incident(x, growth, rise=1200.0, hold=0.0, decay=600.0, onset_share=0.1)
    assert shaped[0] == 0.0  # nothing before the onset
    assert without[1] < 0.02  # the bare curve starts near zero: no post in the first minutes
    assert shaped[1] == pytest.approx(0.1)
    assert np.all(shaped >= without)
    assert shaped[-1] == pytest.approx(without[-1])  # the jump does not change the peak


def test_the_onset_share_does_not_hold_up_the_decay() -> None:
    x = np.array([600.0, 600.0 + 3 * 300.0])
    shaped = curves.incident(x, "logistic", rise=600.0, hold=0.0, decay=300.0, onset_share=0.2)
    assert shaped[0] == pytest.approx(1.0, abs=0.02)
    assert shaped[1] < 0.06  # e^-3: decays below the onset share


def test_the_onset_share_puts_posts_in_the_first_minute() -> None:
    def curve(t: curves.Array) -> curves.Array:
        return curves.incident(t, "logistic", 1200.0, 0.0, 3600.0, 0.1)

    def bare(t: curves.Array) -> curves.Array:
        return curves.incident(t, "logistic", 1200.0, 0.0, 3600.0)

    per_s = 60 / 60  # a peak of 60 posts a minute
    assert per_s * curves.integral(curve, 0.0, 60.0, step=1.0) == pytest.approx(6.0, rel=0.05)
    assert per_s * curves.integral(bare, 0.0, 60.0, step=1.0) < 1.0
