"""The pseudonymised view of a post: what the dashboard, search results and pseudonymised exports show.

Ingest replaces a post's author with a keyed pseudonym, but the post itself can still name people:
``@mentions`` of other accounts, e-mail addresses, phone numbers, card numbers, IBANs, street
addresses and names (the ``personal_data`` analyser's spans), and its link, which on most platforms
holds the author's handle (``https://instance/@handle/123``). Wherever authors are shown as
pseudonyms, these are hidden too:

- personal data becomes ``[EMAIL]``, ``[PHONE]``, ``[CARD]``, ``[IBAN]``, ``[ADDRESS]``, ``[PERSON]``;
- a mention becomes ``@ps:`` and a keyed hash of the handle (case-folded, its own key
  ``mention.key``), so one account mentioned again and again is still visible as one, while nobody
  without the deployment's secret can tell whom it names or match it against author pseudonyms;
- the link and the mention list are left out of pseudonymised exports.

The stored post is never changed: it is the evidence, and an authorised reveal (investigator, written
reason, audit-logged) exports the clear text. Personal data the patterns do not recognise (a name
written with no title or introduction, a handle spelt without ``@``) stays: the view lowers the
exposure of everyday reading, it does not anonymise.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from civicpulse.analysers.personal_data import Span, find_personal_data, kind_label, redact
from civicpulse.governance.keys import read_or_create_secret
from civicpulse.post import Post

__all__ = ["MENTION", "MENTION_KEY_FILE", "Redactor", "redactor_for"]

MENTION_KEY_FILE = "mention.key"

#: ``@handle`` (X/Twitter, Instagram), ``@user@instance.social`` (Mastodon) and ``@name.bsky.social``
#: (Bluesky domain handles). Not after a word character or ``@``: ``bob@example.org`` is an e-mail
#: address, found as such. A handle ends on a letter, digit or underscore, so the full stop that
#: ends a sentence is not part of it. Bounded, so a hostile text costs linear time.
MENTION = re.compile(
    r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?"
    r"(?:@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){1,8})?)")

_MENTION_KIND = "mention"


class Redactor:
    """Hides the people a post names; one per deployment key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the mention key must be at least 16 bytes")
        self._key = key

    def mention(self, handle: str) -> str:
        """``@ps:`` and 16 hex digits: the same for every spelling case of ``handle``, with or without ``@``."""
        folded = handle.lstrip("@").casefold()
        digest = hmac.digest(self._key, folded.encode("utf-8", "surrogatepass"), "sha256")
        return "@ps:" + digest[:8].hex()

    def text(self, text: str, personal_data: object = None) -> str:
        """``text`` with personal data and mentions replaced.

        ``personal_data`` is the post's stored ``personal_data`` enrichment when the analyser ran
        (its spans were found on this very text); without it the spans are found now."""
        spans = _stored_spans(personal_data)
        if spans is None:
            spans = find_personal_data(text)
        if "@" in text:
            spans = _with_mentions(text, sorted(spans))
        if not spans:
            return text
        return redact(text, spans, self._replacement)

    def post_text(self, post: Post) -> str:
        """The redacted text of ``post``."""
        return self.text(post.text, _personal_data(post.enrichments))

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stored post record (its JSON as a dict) made fit for a pseudonymised export, in place."""
        record["text"] = self.text(str(record.get("text") or ""), _personal_data(record.get("enrichments")))
        record.pop("url", None)
        mentions = record.get("mentions")
        if mentions:
            record["mentions"] = [self.mention(str(m)) for m in mentions]
        enrichments = record.get("enrichments")
        if isinstance(enrichments, dict):
            for key, value in enrichments.items():
                if key.startswith("surface/") and isinstance(value, dict) and value.get("mentions"):
                    value["mentions"] = [self.mention(str(m)) for m in value["mentions"]]
                elif key.startswith("personal_data/") and isinstance(value, dict):
                    value.pop("spans", None)  # offsets into the clear text, which is not exported
        return record

    def _replacement(self, kind: str, covered: str) -> str:
        return self.mention(covered) if kind == _MENTION_KIND else kind_label(kind)


def _with_mentions(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` (sorted) plus the mentions in ``text``, in one pass over both: a hostile text can
    hold tens of thousands of each."""
    out: list[Span] = []
    i = 0
    for match in MENTION.finditer(text):
        start, end = match.span()
        while i < len(spans) and spans[i].end <= start:
            out.append(spans[i])
            i += 1
        j = i
        while j < len(spans) and spans[j].start < end:
            j += 1
        # "@alice@mastodon.social" reads as an e-mail address after its first "@": it is a mention.
        # Any other span that overlaps it (a phone, a name) wins.
        if all(span.kind == "email" for span in spans[i:j]):
            out.append(Span(start, end, _MENTION_KIND))
            i = j
    out.extend(spans[i:])
    return out


def _personal_data(enrichments: object) -> object:
    if isinstance(enrichments, Mapping):
        for key, value in enrichments.items():
            if isinstance(key, str) and key.startswith("personal_data/"):
                return value
    return None


def _stored_spans(personal_data: object) -> list[Span] | None:
    if not isinstance(personal_data, Mapping) or not isinstance(personal_data.get("spans"), list):
        return None
    spans: list[Span] = []
    for item in personal_data["spans"]:
        try:
            spans.append(Span(int(item["start"]), int(item["end"]), str(item["kind"])))
        except (KeyError, TypeError, ValueError):
            return None  # not what the analyser writes: find the spans again rather than trust it
    return spans


@lru_cache(maxsize=8)
def redactor_for(data_dir: str | Path) -> Redactor:
    """The deployment's redactor; its key file is created (mode 0600) on first use."""
    return Redactor(read_or_create_secret(data_dir, MENTION_KEY_FILE))
