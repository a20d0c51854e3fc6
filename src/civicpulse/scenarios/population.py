"""The scenario's accounts: a heavy-tailed follower graph, officials, bots and a coordinated network.

Everything is NumPy arrays indexed by account number, drawn in bulk from the run's generator; the
:class:`~civicpulse.post.Author` records are built on first use and cached, because most accounts
never post in a short scenario. Account number ``i`` is ``acct-i``: officials come first, then bots,
then the coordinated network, then ordinary residents.

The graph is preferential attachment in expectation (Chung-Lu): each account follows a lognormal
number of others, chosen in proportion to a Pareto popularity, so follower counts are heavy-tailed
the way real platforms' are. Reposts travel along it: whoever reposts a post is one of its author's
followers.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from civicpulse.post import Author
from civicpulse.scenarios.spec import Scenario, official_reach

__all__ = ["BOT", "COORDINATED", "OFFICIAL", "ORDINARY", "Population"]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]

ORDINARY, OFFICIAL, BOT, COORDINATED = 0, 1, 2, 3
#: Reposts per post from an influential account, relative to an average one, at most.
MAX_MARK = 4.0
#: Followers the platform shows per follower inside the simulated city (the rest live elsewhere).
FOLLOWER_FACTOR = 3

_FIRST = {
    "en": ["sam", "jo", "alex", "chris", "mo", "priya", "ola", "kate", "dan", "lee", "amira", "tom", "zoe", "marek",
           "ines", "luca", "femi", "nina", "raj", "ellie", "jack", "aisha", "kwame", "sophie", "connor", "bilal"],
    "fr": ["camille", "lucas", "chloe", "hugo", "lea", "karim", "thomas", "manon", "yanis", "julie", "theo", "mehdi"],
    "de": ["lukas", "anna", "felix", "lena", "jonas", "marie", "paul", "laura", "tim", "elif", "jan", "mia"],
    "es": ["pablo", "lucia", "carlos", "maria", "javi", "sofia", "alvaro", "elena", "diego", "carmen", "sergio"],
}
_WORDS = ["mum", "dad", "fan", "runner", "cook", "local", "photo", "bikes", "news", "gamer", "fc", "music", "art",
          "travels", "life", "89", "92", "07", "x", "real", "uk", "eu", "vibes", "daily"]
_SURNAMES = ["Smith", "Brown", "Wilson", "Taylor", "Martin", "Muller", "Garcia", "Bernard", "Davies", "Evans",
             "Walker", "Wright", "Thomas", "Roberts", "Lopez", "Weber"]
_BOT_WORDS = ["deals", "newsflash", "cryptoking", "promo", "followback", "giveaway", "trending", "alerts"]
_ELSEWHERE = ["Earth", "somewhere nice", "on the sofa", "everywhere", "the internet"]


class Population:
    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        spec = scenario.population
        self.scenario = scenario
        self.start_s = scenario.start.timestamp()
        self.languages = scenario.languages
        n_official = len(spec.officials)
        n_bots = round(spec.bots * scenario.scale) if spec.bots else 0
        n_coord = spec.coordinated
        n = max(100 + n_official + n_bots + n_coord, round(spec.accounts * scenario.scale))
        self.size = n
        self.officials = np.arange(n_official, dtype=np.int64)
        self.bots = np.arange(n_official, n_official + n_bots, dtype=np.int64)
        self.coordinated = np.arange(n_official + n_bots, n_official + n_bots + n_coord, dtype=np.int64)
        ordinary_from = n_official + n_bots + n_coord
        kind = np.full(n, ORDINARY, dtype=np.int8)
        kind[self.officials], kind[self.bots], kind[self.coordinated] = OFFICIAL, BOT, COORDINATED
        self.kind = kind
        self.official_by_handle = {o.handle: i for i, o in enumerate(spec.officials)}

        # Languages and homes.
        weights = np.array([scenario.chatter.languages[lang] for lang in self.languages])
        self.language = _categorical(rng, weights, n).astype(np.int8)
        main = self.languages.index(scenario.main_language)
        for i, official in enumerate(spec.officials):
            self.language[i] = self.languages.index(official.language) if official.language in self.languages \
                else main
        districts = scenario.area.districts
        self.home = _categorical(rng, np.array([d.weight for d in districts]), n).astype(np.int16)
        self.residents = [np.flatnonzero((self.home == d) & (kind == ORDINARY)) for d in range(len(districts))]

        self._build_graph(rng, spec.follows, spec.popularity_tail, ordinary_from)
        self._build_features(rng, scenario)
        self._build_handles(rng, scenario)

        # Who chatters: ordinary and coordinated accounts (sleepers look ordinary between campaigns).
        activity = rng.pareto(1.5, n) + 0.2
        activity[kind == OFFICIAL] = 0.0
        activity[kind == BOT] = 0.0
        self._chatter_cum = np.cumsum(activity) / activity.sum()
        ordinary = np.flatnonzero(kind == ORDINARY)
        # The hostile fringe a hate wave's ordinary-looking posts come from: few, but loud.
        pool = max(10, ordinary.size // 50)
        self.hostile = np.sort(rng.choice(ordinary, size=min(pool, ordinary.size), replace=False))
        self._authors: dict[int, Author] = {}

    # -- building ----------------------------------------------------------------------------------

    def _build_graph(self, rng: np.random.Generator, follows: int, tail: float, ordinary_from: int) -> None:
        n, kind = self.size, self.kind
        sigma = 0.8
        out = np.maximum(1, np.round(rng.lognormal(np.log(follows) - sigma**2 / 2, sigma, n))).astype(np.int64)
        out[kind == BOT] *= 8
        out[kind == OFFICIAL] = 30
        popularity = rng.pareto(tail, n) + 1.0
        popularity[kind == OFFICIAL] = np.quantile(popularity, 0.999) * 5
        popularity[kind == BOT] *= 0.2
        cumulative = np.cumsum(popularity)
        source = np.repeat(np.arange(n, dtype=np.int64), out)
        target = np.searchsorted(cumulative, rng.random(source.size) * cumulative[-1], side="right")
        target = np.minimum(target, n - 1)
        # The coordinated network follows itself densely: the cluster a network analysis looks for.
        members = self.coordinated
        if members.size > 1:
            pairs = rng.random((members.size, members.size)) < 0.5
            np.fill_diagonal(pairs, False)
            a, b = np.nonzero(pairs)
            source = np.concatenate([source, members[a]])
            target = np.concatenate([target, members[b]])
        keep = source != target
        source, target = source[keep], target[keep]
        order = np.argsort(target, kind="stable")
        self.followers_of = source[order]
        self.follower_ptr = np.searchsorted(target[order], np.arange(n + 1)).astype(np.int64)
        self.in_degree = np.diff(self.follower_ptr)
        self.out_degree = np.bincount(source, minlength=n).astype(np.int64)
        # Influence mark of a reposter: more followers, more reposts of what it shares. Normalised so
        # that the mean over the accounts that do the reposting (chosen as followers, so in
        # proportion to how many they follow) is 1, keeping the scenario's branching ratio honest.
        mark = np.log1p(self.in_degree.astype(np.float64)) + 0.5
        weights = self.out_degree.astype(np.float64)
        mark /= float(np.sum(mark * weights) / max(1.0, float(weights.sum())))
        mark = np.minimum(mark, MAX_MARK)
        # An agency's post reaches far beyond the simulated city's graph: its mark follows its real
        # follower count (a denial or an appeal is shared by many at once).
        for i, official in enumerate(self.scenario.population.officials):
            mark[i] = official_reach(official.followers)
        self.mark = mark

    def _build_features(self, rng: np.random.Generator, scenario: Scenario) -> None:
        n, kind, spec = self.size, self.kind, scenario.population
        followers = self.in_degree * FOLLOWER_FACTOR + np.floor(rng.pareto(1.2, n) * 10).astype(np.int64)
        following = self.out_degree * FOLLOWER_FACTOR + rng.integers(0, 40, n)
        posts = np.floor(rng.pareto(1.1, n) * 300).astype(np.int64) + 1
        days = np.exp(rng.uniform(np.log(30), np.log(5000), n))
        bots, coord = kind == BOT, kind == COORDINATED
        following[bots] += rng.integers(800, 4000, int(bots.sum()))
        followers[bots] //= 4
        posts[bots] = posts[bots] * 30 + rng.integers(5000, 40_000, int(bots.sum()))
        days[bots] = rng.uniform(1, 60, int(bots.sum()))
        # Sockpuppets are made in a batch: creation dates within a few days of each other.
        days[coord] = 35 + rng.uniform(0, 4, int(coord.sum()))
        posts[coord] = rng.integers(20, 400, int(coord.sum()))
        for i, official in enumerate(spec.officials):
            followers[i], following[i], posts[i], days[i] = official.followers, 300 + 7 * i, 25_000 + 11 * i, 3650
        self.followers = followers
        self.following = following
        self.posts_count = posts
        self.created_s = self.start_s - np.round(days * 86_400.0)
        self.verified = (rng.random(n) < spec.verified) | (kind == OFFICIAL)
        self.has_location = (rng.random(n) < spec.profile_location) | (kind == OFFICIAL)
        self.location_style = rng.integers(0, 10, n)

    def _build_handles(self, rng: np.random.Generator, scenario: Scenario) -> None:
        n = self.size
        picks = rng.integers(0, 1 << 30, (n, 4)).tolist()
        slugs = [d.name.lower().replace(" ", "").replace("-", "")[:10] for d in scenario.area.districts]
        handles: list[str] = []
        names: list[str | None] = []
        seen: set[str] = set()
        officials = scenario.population.officials
        for i in range(n):
            a, b, c, d = picks[i]
            kind = int(self.kind[i])
            display: str | None = None
            if kind == OFFICIAL:
                handle, display = officials[i].handle[1:], officials[i].name
            elif kind == BOT:
                handle = f"{_BOT_WORDS[a % len(_BOT_WORDS)]}{b % 100_000}"
            elif kind == COORDINATED:
                first = _FIRST["en"][a % len(_FIRST["en"])].capitalize()
                handle = f"{first}{_SURNAMES[b % len(_SURNAMES)]}{10_000 + c % 90_000_000}"
                display = f"{first} {_SURNAMES[b % len(_SURNAMES)]}"
            else:
                firsts = _FIRST.get(self.languages[self.language[i]], _FIRST["en"])
                first, word = firsts[a % len(firsts)], _WORDS[b % len(_WORDS)]
                style = c % 6
                handle = (f"{first}_{word}", f"{first}{word}", f"{first}{c % 100:02d}", f"{word}_{first}",
                          f"{slugs[self.home[i]]}_{word}", f"the{first}{d % 1000}")[style]
                if d % 10 < 6:
                    display = first.capitalize() + ("", f" {chr(65 + d % 26)}.", " ✨", " 🌻")[d % 4]
            if handle in seen:
                handle = f"{handle}{i}"
            seen.add(handle)
            handles.append("@" + handle)
            names.append(display)
        self.handles = handles
        self.display_names = names

    # -- use -------------------------------------------------------------------------------------------

    def author(self, i: int) -> Author:
        author = self._authors.get(i)
        if author is None:
            author = self._authors[i] = self._make_author(i)
        return author

    def _make_author(self, i: int) -> Author:
        official = self.kind[i] == OFFICIAL
        return Author(id=f"acct-{i}", handle=self.handles[i], display_name=self.display_names[i],
                      profile_location=self._location(i) if self.has_location[i] else None,
                      created_at=datetime.fromtimestamp(float(self.created_s[i]), UTC),
                      followers=int(self.followers[i]), following=int(self.following[i]),
                      posts_count=int(self.posts_count[i]), verified=True if self.verified[i] else None,
                      official=True if official else None)

    def _location(self, i: int) -> str:
        city = self.scenario.city
        if self.kind[i] == OFFICIAL:
            return city
        style = int(self.location_style[i])
        district = self.scenario.area.districts[int(self.home[i])].name
        if style < 4:
            return f"{district}, {city}"
        if style < 7:
            return city
        if style < 8:
            return f"{city} 🏠"
        if style < 9 and self.scenario.country:
            return self.scenario.country
        return _ELSEWHERE[i % len(_ELSEWHERE)]

    def sample_chatter(self, rng: np.random.Generator, count: int) -> Ints:
        """``count`` accounts drawn by posting activity (heavy-tailed: a few post a lot)."""
        picked = np.searchsorted(self._chatter_cum, rng.random(count), side="right")
        return np.minimum(picked, self.size - 1).astype(np.int64)

    def sample_followers(self, rng: np.random.Generator, of: Ints) -> Ints:
        """One follower of each account in ``of``; anyone, by activity, for an account nobody follows."""
        start = self.follower_ptr[of]
        degree = self.follower_ptr[of + 1] - start
        u = rng.random(of.size)
        fallback = self.sample_chatter(rng, of.size)
        index = np.minimum(start + (u * degree).astype(np.int64), max(0, self.followers_of.size - 1))
        chosen = self.followers_of[index] if self.followers_of.size else fallback
        return np.where(degree > 0, chosen, fallback)

    def sample_residents(self, rng: np.random.Generator, district: int, count: int, local: float) -> Ints:
        """Accounts posting about a place: mostly people who live there, some from anywhere."""
        everyone = self.sample_chatter(rng, count)
        residents = self.residents[district]
        if residents.size == 0:
            return everyone
        near = residents[rng.integers(0, residents.size, count)]
        return np.where(rng.random(count) < local, near, everyone)


def _categorical(rng: np.random.Generator, weights: Floats, count: int) -> Ints:
    cumulative = np.cumsum(weights, dtype=np.float64)
    picked = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
    return np.asarray(np.minimum(picked, weights.size - 1), dtype=np.int64)
