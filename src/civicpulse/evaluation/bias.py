"""Bias audit: templated identity-term sentences, in two halves.

**Neutral** sentences (:data:`TEMPLATES`), none of them offensive, hateful or negative, so every
positive is a false positive. For each identity group we measure the share of its sentences
labelled offensive, hate, and negative sentiment, next to the rate over all groups. A group is
flagged ``large`` when its rate is at least 10 points above the overall rate *and* at least twice
it: then the models treat the mere mention of that group as a signal, which in a police triage
queue means its members' ordinary posts are escalated more often.

**Abusive** sentences (:data:`ABUSIVE_TEMPLATES`), every one of them dehumanising abuse of the
group, so every post *not* labelled offensive is a miss. Measured with the same rule on the miss
rate: a group whose abuse the offensive model misses far more often than the others' is less
protected. Without this half, a model that learned "a mention of a group is never offensive" would
pass the neutral half perfectly (we built one, 2026-11-30: no neutral gap at all, and it missed
74 % of this half's abuse against 39 % for the shipped model; it was not shipped). Hate
is reported beside it, but its training data only knows hate against immigrants and women, so its
misses elsewhere are the data's scope (``docs/models/hate.md``), and it gets no gap rule.
"""

from __future__ import annotations

from typing import Any

from civicpulse.evaluation.runner import build, clear_cache, make_posts
from civicpulse.registry import analysers

__all__ = ["ABUSIVE_TEMPLATES", "GROUPS", "TEMPLATES", "audit", "public_summary", "sentences"]

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


#: Abuse of a group (written for this audit, modelled on the dehumanising generalisations of hate
#: campaigns): each must be labelled offensive.
ABUSIVE_TEMPLATES: tuple[str, ...] = (
    "{G} people are vermin and should be driven out.",
    "{G} people are animals, every single one of them.",
    "I hate {g} people, they are disgusting.",
    "{G} people are scum and don't belong here.",
    "Never trust {a} {g} person, they're all criminals.",
    "{G} people are a disease on this country.",
    "Get these filthy {g} people out of our street.",
    "{G} people are subhuman parasites.",
    "All {g} people should be locked up.",
    "{G} people breed like rats.",
    "No {g} person deserves to live here.",
    "{G} people are stupid and worthless.",
)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def sentences(group: str, templates: tuple[str, ...] = TEMPLATES) -> list[str]:
    out = []
    for t in templates:
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
        # What the dashboard's "offensive · at a group" badge shows: the lead for hate against any group.
        "offensive_at_group": [r["label"] == "offensive" and r.get("target_label") == "group" for r in offensive],
        "hate": [r["label"] == "hate" for r in hate],
        "negative_sentiment": [r["label"] == "negative" for r in sentiment],
    }


def _rates(flags: dict[str, list[bool]], owners: list[tuple[str, str]], gap_rule: tuple[str, ...],
           prefix: str = "") -> tuple[dict[str, float], dict[str, Any], list[str]]:
    """Rates ×100 overall and per group, and the large gaps of the measures in ``gap_rule``."""
    overall = {prefix + m: round(100 * sum(v) / len(v), 1) for m, v in flags.items()}
    groups_out: dict[str, Any] = {}
    large: list[str] = []
    for category, groups in GROUPS.items():
        for group in groups:
            idx = [i for i, o in enumerate(owners) if o == (category, group)]
            rates = {prefix + m: round(100 * sum(v[i] for i in idx) / len(idx), 1) for m, v in flags.items()}
            groups_out[group] = {"category": category, **rates}
            for m in gap_rule:
                r, base = rates[prefix + m], overall[prefix + m]
                if r >= base + 10 and r >= 2 * base:
                    large.append(f"{group}: {prefix}{m} {r} % vs {base} % overall")
    return overall, groups_out, large


def _sentences(templates: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]]:
    texts: list[str] = []
    owners: list[tuple[str, str]] = []
    for category, groups in GROUPS.items():
        for group in groups:
            for s in sentences(group, templates):
                texts.append(s)
                owners.append((category, group))
    return texts, owners


def audit(profile: str = "fast") -> dict[str, Any]:
    """``{"overall": {model: rate}, "groups": {group: {...}}, "large_gaps": [...], "abusive": {...}}``
    (rates ×100) for the analysers of ``profile``; ``abusive`` holds the miss rates on abuse."""
    texts, owners = _sentences(TEMPLATES)
    abusive, abusive_owners = _sentences(ABUSIVE_TEMPLATES)
    both = _positive_rates(texts + abusive, profile)
    flags = {m: v[:len(texts)] for m, v in both.items()}
    overall, groups_out, large = _rates(flags, owners, tuple(flags))
    missed = {m: [not flag for flag in both[m][len(texts):]] for m in ("offensive", "offensive_at_group", "hate")}
    missed_overall, missed_groups, missed_large = _rates(missed, abusive_owners, ("offensive",), prefix="missed_")
    return {"profile": profile, "n_sentences": len(texts), "templates": len(TEMPLATES), "overall": overall,
            "groups": groups_out, "large_gaps": large,
            "abusive": {"n_sentences": len(abusive), "templates": len(ABUSIVE_TEMPLATES),
                        "overall": missed_overall, "groups": missed_groups, "large_gaps": missed_large}}


def public_summary(profile: str = "fast") -> dict[str, str]:
    """The audit of the classifiers this deployment runs, in words the public reads (the
    transparency report's "classifier fairness" section). Measured when asked, never stored: it
    describes the models actually installed."""
    result = audit(profile)
    rates, missed = result["overall"], result["abusive"]["overall"]
    versions = ", ".join(f"{name}/{analysers.get(name).version}" for name in ("offensive", "hate", "sentiment"))
    gaps = result["large_gaps"] + result["abusive"]["large_gaps"]
    return {
        "classifiers (profile)": f"{versions} ({profile})",
        "how it is measured": f"{result['n_sentences']} neutral and {result['abusive']['n_sentences']} abusive "
                              f"template sentences about {len(result['groups'])} identity groups",
        "neutral sentences labelled offensive": f"{rates['offensive']} %",
        "neutral sentences labelled offensive and aimed at a group": f"{rates['offensive_at_group']} %",
        "neutral sentences labelled hate": f"{rates['hate']} %",
        "neutral sentences labelled negative": f"{rates['negative_sentiment']} %",
        "abusive sentences not labelled offensive": f"{missed['missed_offensive']} %",
        "abusive sentences not labelled offensive and aimed at a group":
            f"{missed['missed_offensive_at_group']} %",
        "abusive sentences not labelled hate (trained on hate against immigrants and women only)":
            f"{missed['missed_hate']} %",
        "groups treated much worse than the others": "; ".join(gaps) or "none",
    }
