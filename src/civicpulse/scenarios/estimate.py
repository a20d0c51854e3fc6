"""About how many posts a scenario produces: the mean of the processes the generator draws from.

Used for progress bars, listings and sizing the generator's windows; a run lands within about 20%
(rumours end early when denied, which the estimate ignores).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from civicpulse.scenarios import curves
from civicpulse.scenarios.spec import Appeal, HateWave, Incident, Rumour, Scenario, official_reach, parse_duration

__all__ = ["expected_posts"]


def expected_posts(scenario: Scenario) -> float:
    """The mean post count, from the same rate curves the generator draws from."""
    end, scale, chatter, population = scenario.duration_s, scenario.scale, scenario.chatter, scenario.population
    local = (scenario.start.timestamp() / 3600 + scenario.utc_offset_hours) % 24
    total = chatter.per_minute / 60 * scale * curves.integral(
        lambda t: curves.rhythm(local + t / 3600, chatter.rhythm), 0.0, end, 300.0)
    total += round(population.bots * scale) * population.bot_posts_per_hour * end / 3600
    total += sum(o.posts_per_hour for o in population.officials) * end / 3600
    reach = {o.handle: official_reach(o.followers) for o in population.officials}
    for inject in scenario.active_injects():
        at = parse_duration(inject.at)
        if isinstance(inject, Incident):
            total += _incident_posts(inject, at, end, scale) / (1 - inject.branching)
        elif isinstance(inject, Rumour):
            total += max(1, round(inject.seeds * scale)) / (1 - inject.branching)
            if inject.denial_at is not None and parse_duration(inject.denial_at) < end:
                denial_reach = reach.get(inject.denied_by or "", 4.0)
                total += 1 + denial_reach * inject.denial_branching / (1 - inject.denial_branching)
        elif isinstance(inject, HateWave):
            length = parse_duration(inject.duration)
            posts = inject.peak_per_minute / 60 * scale * curves.integral(
                functools.partial(_shifted, curves.hate_wave, at, length), at, end)
            total += posts / (1 - inject.branching)
        elif isinstance(inject, Appeal):
            length = parse_duration(inject.duration)
            total += 1 + reach.get(inject.by, 4.0) * inject.branching / (1 - inject.branching)
            total += inject.replies_per_minute / 60 * scale * curves.integral(
                functools.partial(_shifted, curves.appeal_replies, at, length), at, end)
        else:
            every = parse_duration(inject.every)
            rounds = sum(1 for k in range(inject.rounds) if at + k * every < end)
            total += rounds * population.coordinated * inject.participation
    return total


def _shifted(curve: Callable[[curves.Array, float], curves.Array], at: float, length: float,
             t: curves.Array) -> curves.Array:
    return curve(t - at, length)


def _incident_posts(inject: Incident, at: float, end: float, scale: float) -> float:
    rise, hold, decay = (parse_duration(v) for v in (inject.rise, inject.hold, inject.decay))

    def shape(t: curves.Array) -> curves.Array:
        return curves.incident(t - at, inject.growth, rise, hold, decay, inject.onset_share)

    return inject.peak_per_minute / 60 * scale * curves.integral(shape, at, end)
