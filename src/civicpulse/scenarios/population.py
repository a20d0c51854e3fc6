"""The scenario's accounts: heavy-tailed follower graph, official accounts, bots, a coordinated network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from civicpulse.post import Author
from civicpulse.scenarios.spec import Scenario

__all__ = ["Population", "build_population"]

_FIRST = ["sam", "jo", "alex", "chris", "mo", "priya", "ola", "kate", "dan", "lee", "amira", "tom", "zoe",
          "marek", "ines", "luca", "femi", "nina", "raj", "ellie"]
_SECOND = ["mum", "dad", "fan", "runner", "cook", "local", "lad", "girl", "89", "_x", "photo", "bikes", "news"]


@dataclass(frozen=True)
class Population:
    authors: list[Author]
    #: Probability of each account writing a given background post (heavy-tailed activity).
    activity: np.ndarray
    #: followers_of[i]: the accounts that follow account i.
    followers_of: list[np.ndarray]
    officials: dict[str, int]
    bots: np.ndarray
    coordinated: np.ndarray
    ordinary: np.ndarray


def build_population(scenario: Scenario, rng: np.random.Generator) -> Population:
    spec = scenario.population
    count = spec.accounts
    n_official = len(spec.officials)
    # Zipf-like popularity: a few accounts attract most follows, as on real platforms.
    popularity = 1.0 / np.arange(1, count + 1) ** 0.9
    rng.shuffle(popularity[n_official:])
    popularity[:n_official] = popularity.max() * 3
    popularity /= popularity.sum()
    follows = rng.poisson(spec.follows, count).clip(1, count - 1)
    followers = np.repeat(np.arange(count), follows)
    followed = rng.choice(count, size=followers.size, p=popularity)
    keep = followers != followed
    followers, followed = followers[keep], followed[keep]
    order = np.argsort(followed, kind="stable")
    bounds = np.searchsorted(followed[order], np.arange(count + 1))
    followers_of = [followers[order[bounds[i]:bounds[i + 1]]] for i in range(count)]
    in_degree = np.diff(bounds)

    bots = np.arange(n_official, n_official + spec.bots)
    coordinated = np.arange(n_official + spec.bots, n_official + spec.bots + spec.coordinated)
    is_bot = np.zeros(count, dtype=bool)
    is_bot[bots] = True
    ordinary = np.arange(n_official + spec.bots + spec.coordinated, count)
    activity = rng.pareto(1.5, count) + 0.2
    activity[bots] *= 8
    activity[:n_official] = 0.0
    activity /= activity.sum()

    ages = rng.integers(30, 5000, count)
    ages[bots] = rng.integers(1, 40, bots.size)
    ages[coordinated] = rng.integers(5, 60, coordinated.size)
    posts_count = (rng.pareto(1.2, count) * 300).astype(int) + 1
    posts_count[bots] *= 30
    with_location = rng.random(count) < spec.profile_location
    district_names = [d.name for d in scenario.area.districts]
    location_pick = rng.integers(0, len(district_names) + 1, count)
    start = scenario.start
    authors: list[Author] = []
    for i in range(count):
        if i < n_official:
            official = spec.officials[i]
            authors.append(Author(id=f"acct-{i}", handle=official.handle, display_name=official.name,
                                  followers=official.followers, following=50, posts_count=20_000,
                                  created_at=start - timedelta(days=3000), verified=True, official=True,
                                  profile_location=scenario.city))
            continue
        location = None
        if with_location[i]:
            pick = int(location_pick[i])
            location = scenario.city if pick == len(district_names) else f"{district_names[pick]}, {scenario.city}"
        handle = f"@{_FIRST[i % len(_FIRST)]}_{_SECOND[(i // 7) % len(_SECOND)]}{i % 997}"
        authors.append(Author(id=f"acct-{i}", handle=handle, followers=int(in_degree[i] * 3 + rng.integers(0, 20)),
                              # Bots follow many and are followed by few: the classic ratio signal.
                              following=int(follows[i] * 3 + (1500 if is_bot[i] else 0)),
                              posts_count=int(posts_count[i]), created_at=_days_before(start, int(ages[i])),
                              profile_location=location))
    return Population(authors=authors, activity=activity, followers_of=followers_of,
                      officials={o.handle: i for i, o in enumerate(spec.officials)}, bots=bots,
                      coordinated=coordinated, ordinary=ordinary)


def _days_before(start: datetime, days: int) -> datetime:
    return start - timedelta(days=days)
