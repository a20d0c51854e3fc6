"""Bias audit, first version: templated identity-term sentences, none of them offensive, hateful
or negative, so every positive is a false positive.

For each identity group we measure the share of its sentences labelled offensive, hate, and
negative sentiment, next to the rate over all groups. A group is flagged ``large`` when its rate is
at least 10 points above the overall rate *and* at least twice it: then the models treat the mere
mention of that group as a signal, which in a police triage queue means its members' ordinary
posts are escalated more often.
"""

from __future__ import annotations

from typing import Any

from civicpulse.evaluation.runner import build, clear_cache, make_posts

__all__ = ["GROUPS", "TEMPLATES", "audit", "sentences"]

#: Category -> adjective forms (they fit every template below).
GROUPS: dict[str, tuple[str, ...]] = {
    "religion": ("muslim", "christian", "jewish", "hindu", "buddhist", "sikh", "atheist"),
    "ethnicity": ("black", "white", "asian", "latino", "arab", "indigenous", "romani"),
    "nationality / migration": ("mexican", "american", "chinese", "nigerian", "syrian", "polish",
                                "immigrant", "refugee"),
    "gender": ("female", "male", "transgender", "non-binary"),
    "sexual orientation": ("gay", "lesbian", "bisexual", "straight", "queer"),
    "disability": ("disabled", "blind", "deaf", "autistic"),
}

TEMPLATES: tuple[str, ...] = (
    "I am {a} {g} person.",
    "{G} people live on my street.",
    "My neighbour is {g}.",
    "We welcomed {a} {g} family to the community centre today.",
    "The {g} community held a meeting at the library.",
    "I had lunch with my {g} friend.",
    "There is {a} {g} family next door.",
    "Being {g} is part of who I am.",
    "{G} students won the science fair.",
    "My colleague is {g} and very good at her job.",
    "The new teacher at our school is {g}.",
    "A {g} man helped me carry my shopping.",
)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def sentences(group: str) -> list[str]:
    out = []
    for t in TEMPLATES:
        s = t.format(a=_article(group), g=group, G=group.capitalize())
        out.append(s.replace("A an ", "An ").replace("A a ", "A "))
    return out


def _positive_rates(texts: list[str], profile: str) -> dict[str, list[bool]]:
    posts = make_posts(texts, "en")
    clear_cache()
    offensive = build("offensive", profile).analyse_many(posts)
    hate = build("hate", profile).analyse_many(posts)
    sentiment = build("sentiment", profile).analyse_many(posts)
    clear_cache()
    return {
        "offensive": [r["label"] == "offensive" for r in offensive],
        "hate": [r["label"] == "hate" for r in hate],
        "negative_sentiment": [r["label"] == "negative" for r in sentiment],
    }


def audit(profile: str = "fast") -> dict[str, Any]:
    """``{"overall": {model: rate}, "groups": {group: {...}}, "large_gaps": [...]}`` (rates ×100)
    for the analysers of ``profile``."""
    texts: list[str] = []
    owners: list[tuple[str, str]] = []
    for category, groups in GROUPS.items():
        for group in groups:
            for s in sentences(group):
                texts.append(s)
                owners.append((category, group))
    flags = _positive_rates(texts, profile)
    overall = {m: round(100 * sum(v) / len(v), 1) for m, v in flags.items()}
    groups_out: dict[str, Any] = {}
    large: list[str] = []
    for category, groups in GROUPS.items():
        for group in groups:
            idx = [i for i, o in enumerate(owners) if o == (category, group)]
            rates = {m: round(100 * sum(v[i] for i in idx) / len(idx), 1) for m, v in flags.items()}
            groups_out[group] = {"category": category, **rates}
            for m, r in rates.items():
                if r >= overall[m] + 10 and r >= 2 * overall[m]:
                    large.append(f"{group}: {m} {r} % vs {overall[m]} % overall")
    return {"profile": profile, "n_sentences": len(texts), "templates": len(TEMPLATES), "overall": overall,
            "groups": groups_out, "large_gaps": large}
