"""Twitter API v2 JSON, as twarc2 writes it, to :class:`Post`.

Two shapes are accepted, line by line:

* a response page, ``{"data": [tweet, ...], "includes": {"users", "media", "places", "tweets", ...},
  "meta": {...}, "__twarc": {...}}``: one post per tweet in ``data`` (``data`` may also be a single
  tweet object), the author, media and place looked up in ``includes``. The tweets in
  ``includes.tweets`` are context (what was replied to, quoted, retweeted) and are not emitted.
  ``Post.raw`` is a single-tweet response, ``{"data": tweet, "includes": {...}, "__twarc": ...}``,
  holding the tweet untouched and the included objects it refers to, so each post carries its own
  evidence without repeating the whole page;
* a flattened tweet as ``twarc2 flatten`` writes it: the tweet with ``author``,
  ``attachments.media``, ``geo`` (merged with its place) and friends inline. ``Post.raw`` is the line.

The text is ``note_tweet.text`` for long tweets, else ``text``, with the ``&amp;``/``&lt;``/``&gt;``
escapes Twitter applies undone. A retweet's text is the ``RT @user: ...`` text the API returns, and
``repost_of`` points at the original. ``lang: "und"`` becomes no language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicpulse.errors import RecordError
from civicpulse.post import Author, Geo, GeoSource, Media, MediaKind, Post
from civicpulse.sources.formats import common
from civicpulse.sources.formats.common import Failure
from civicpulse.text import extract_hashtags, extract_links, extract_mentions, normalise_link

__all__ = ["PLATFORM", "Failure", "Includes", "is_page", "looks_like", "map_record", "map_tweet"]

PLATFORM = "twitter"
_MEDIA_KINDS = {"photo": MediaKind.IMAGE, "video": MediaKind.VIDEO, "animated_gif": MediaKind.VIDEO}
_REFERENCES = {"replied_to": "reply_to", "retweeted": "repost_of", "quoted": "quote_of"}


def is_page(obj: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a v2 response page (rather than one tweet)."""
    return "data" in obj and "text" not in obj


def looks_like(obj: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a v2 page or a (flattened) v2 tweet."""
    if "data" in obj and ("includes" in obj or "__twarc" in obj or "meta" in obj):
        return True
    return "text" in obj and "id" in obj and (
        "author_id" in obj or "edit_history_tweet_ids" in obj or "__twarc" in obj
    )


def _index(items: Any, key: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                value = item.get(key)
                if isinstance(value, str):
                    found[value] = item
    return found


@dataclass(slots=True)
class Includes:
    """The ``includes`` of a page, indexed for lookups."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usernames: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    places: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, includes: Any) -> Includes:
        if not isinstance(includes, dict):
            return cls()
        users = _index(includes.get("users"), "id")
        return cls(
            users=users,
            usernames={k.lower(): v for k, v in _index(includes.get("users"), "username").items()},
            media=_index(includes.get("media"), "media_key"),
            places=_index(includes.get("places"), "id"),
            tweets=_index(includes.get("tweets"), "id"),
        )

    def subset_for(self, tweet: dict[str, Any]) -> dict[str, Any]:
        """The included objects ``tweet`` refers to, in the API's ``includes`` shape."""
        users: dict[str, dict[str, Any]] = {}
        for key in ("author_id", "in_reply_to_user_id"):
            user_id = common.as_str(tweet.get(key))
            user = self.users.get(user_id) if user_id is not None else None
            if user is not None:
                users[str(user.get("id"))] = user
        entities = tweet.get("entities")
        if isinstance(entities, dict) and isinstance(entities.get("mentions"), list):
            for mention in entities["mentions"]:
                if isinstance(mention, dict) and isinstance(mention.get("username"), str):
                    user = self.usernames.get(mention["username"].lower())
                    if user is not None:
                        users[str(user.get("id"))] = user
        subset: dict[str, Any] = {}
        if users:
            subset["users"] = list(users.values())
        media = [self.media[k] for k in _media_keys(tweet) if k in self.media]
        if media:
            subset["media"] = media
        geo = tweet.get("geo")
        place_id = geo.get("place_id") if isinstance(geo, dict) else None
        if isinstance(place_id, str) and place_id in self.places:
            subset["places"] = [self.places[place_id]]
        refs = tweet.get("referenced_tweets")
        if isinstance(refs, list):
            tweets = [self.tweets[r["id"]] for r in refs
                      if isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] in self.tweets]
            if tweets:
                subset["tweets"] = tweets
        return subset


def _media_keys(tweet: dict[str, Any]) -> list[str]:
    attachments = tweet.get("attachments")
    keys = attachments.get("media_keys") if isinstance(attachments, dict) else None
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _tweet_id(value: Any, what: str) -> str:
    native = common.as_str(value)
    if native is None:
        raise RecordError(f"{what} is missing")
    if not (native.isascii() and native.isdigit() and len(native) <= 20):
        raise RecordError(f"{what} is not a numeric tweet id: {native[:40]!r}")
    return native


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _author(tweet: dict[str, Any], includes: Includes, now: datetime) -> Author:
    inline = tweet.get("author")
    author_id = common.as_str(tweet.get("author_id"))
    if author_id is None and isinstance(inline, dict):
        author_id = common.as_str(inline.get("id"))
    if author_id is None:
        raise RecordError("tweet has no author_id")
    author_id = common.check_author_id(author_id, "author_id")
    user = inline if isinstance(inline, dict) else includes.users.get(author_id, {})
    counts = user.get("public_metrics")
    if not isinstance(counts, dict):
        counts = {}
    verified = user.get("verified")
    return Author(
        id=author_id,
        handle=common.name(user.get("username")),
        display_name=common.name(user.get("name")),
        profile_location=common.name(user.get("location")),
        created_at=common.optional_time(user.get("created_at"), now),
        followers=common.as_count(counts.get("followers_count")),
        following=common.as_count(counts.get("following_count")),
        posts_count=common.as_count(counts.get("tweet_count")),
        verified=verified if isinstance(verified, bool) else None,
    )


def _entities(entities: Any, text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """``(hashtags, mentions, links)`` from v2 ``entities``, or from the text when there are none."""
    if not isinstance(entities, dict):
        return extract_hashtags(text), extract_mentions(text), extract_links(text)
    tags = entities.get("hashtags")
    hashtags = common.clean_hashtags(
        t.get("tag") for t in tags if isinstance(t, dict)
    ) if isinstance(tags, list) else extract_hashtags(text)
    mentioned = entities.get("mentions")
    if isinstance(mentioned, list):
        names: dict[str, None] = {}
        for m in mentioned:
            username = common.name(m.get("username")) if isinstance(m, dict) else None
            if username:
                names[username.lower()] = None
        mentions = tuple(names)
    else:
        mentions = extract_mentions(text)
    urls = entities.get("urls")
    if isinstance(urls, list):
        found: dict[str, None] = {}
        for u in urls:
            if not isinstance(u, dict) or "media_key" in u:
                continue
            for key in ("unwound_url", "expanded_url", "url"):
                value = u.get(key)
                link = normalise_link(value) if isinstance(value, str) else None
                if link is not None:
                    found[link] = None
                    break
        links = tuple(found)
    else:
        links = extract_links(text)
    return hashtags, mentions, links


def _media(tweet: dict[str, Any], includes: Includes) -> tuple[Media, ...]:
    attachments = tweet.get("attachments")
    inline = attachments.get("media") if isinstance(attachments, dict) else None
    items = inline if isinstance(inline, list) else [
        includes.media[k] for k in _media_keys(tweet) if k in includes.media
    ]
    media: list[Media] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind_name = item.get("type")
        kind = _MEDIA_KINDS.get(kind_name, MediaKind.OTHER) if isinstance(kind_name, str) \
            else MediaKind.OTHER
        link = None
        candidates: list[Any] = [item.get("url")]
        variants = item.get("variants")
        if isinstance(variants, list):
            ranked = sorted(
                (v for v in variants if isinstance(v, dict) and isinstance(v.get("url"), str)),
                key=lambda v: common.as_count(v.get("bit_rate")) or 0,
                reverse=True,
            )
            candidates += [v["url"] for v in ranked]
        candidates.append(item.get("preview_image_url"))
        for candidate in candidates:
            link = normalise_link(candidate) if isinstance(candidate, str) else None
            if link is not None:
                break
        if link is not None:
            media.append(Media(kind=kind, url=link, alt_text=common.alt_text(item.get("alt_text"))))
    return tuple(media)


def _bbox_centre(bbox: Any) -> tuple[float, float, float] | None:
    """``(lat, lon, radius_m)`` of a ``[west, south, east, north]`` box."""
    if not (isinstance(bbox, list) and len(bbox) == 4):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in bbox):
        return None
    west, south, east, north = (float(v) for v in bbox)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        return None
    if east < west:  # crosses the antimeridian
        east += 360
    lat, lon = (south + north) / 2, (west + east) / 2
    if lon > 180:
        lon -= 360
    # Half the diagonal, equirectangular approximation: plenty for an accuracy radius.
    dy = (north - south) * 111_320.0
    dx = (east - west) * 111_320.0 * math.cos(math.radians(lat))
    return lat, lon, math.hypot(dx, dy) / 2


def _geo(tweet: dict[str, Any], includes: Includes, flags: common.Flags) -> Geo | None:
    geo = tweet.get("geo")
    if not isinstance(geo, dict):
        return None
    place_id = geo.get("place_id")
    place = includes.places.get(place_id, geo) if isinstance(place_id, str) else geo
    place_name = place.get("full_name") or place.get("name")
    coordinates = geo.get("coordinates")
    if isinstance(coordinates, dict):
        point = coordinates.get("coordinates")
        if isinstance(point, list) and len(point) == 2:
            return common.make_geo(GeoSource.GEOTAG, point[1], point[0], place_name, flags)
        flags.append("geo_out_of_range")
    shape = place.get("geo")
    centre = _bbox_centre(shape.get("bbox")) if isinstance(shape, dict) else None
    if centre is not None:
        lat, lon, radius = centre
        return common.make_geo(GeoSource.GEOTAG, lat, lon, place_name, flags, accuracy_m=radius)
    return common.make_geo(GeoSource.GEOTAG, None, None, place_name, flags)


def map_tweet(tweet: Any, includes: Includes, now: datetime, raw: dict[str, Any]) -> Post:
    """One v2 tweet as a post; raises ``RecordError`` with the reason when it cannot be one."""
    if not isinstance(tweet, dict):
        raise RecordError("tweet is not a JSON object")
    native = _tweet_id(tweet.get("id"), "tweet id")
    created_at = common.check_time(common.parse_timestamp(tweet.get("created_at")), now)
    author = _author(tweet, includes, now)
    flags: common.Flags = []

    note = tweet.get("note_tweet")
    entities = tweet.get("entities")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        body, entities = note["text"], note.get("entities", entities)
    elif isinstance(tweet.get("text"), str):
        body = tweet["text"]
    else:
        raise RecordError("tweet has no text")
    text = common.post_text(_unescape(body), flags)
    hashtags, mentions, links = _entities(entities, text)

    references: dict[str, str] = {}
    refs = tweet.get("referenced_tweets")
    if isinstance(refs, list):
        for ref in refs:
            if not isinstance(ref, dict):
                continue
            kind = ref.get("type")
            slot = _REFERENCES.get(kind) if isinstance(kind, str) else None
            if slot is None or slot in references:
                continue
            try:
                references[slot] = f"{PLATFORM}:{_tweet_id(ref.get('id'), 'referenced tweet id')}"
            except RecordError:
                flags.append("reference_invalid")

    handle = author.handle
    if handle and handle.isascii() and handle.replace("_", "").isalnum() and len(handle) <= 50:
        url = f"https://twitter.com/{handle}/status/{native}"
    else:
        url = f"https://twitter.com/i/web/status/{native}"
    counts = tweet.get("public_metrics")
    if not isinstance(counts, dict):
        counts = {}
    return Post(
        id=f"{PLATFORM}:{native}",
        platform=PLATFORM,
        created_at=created_at,
        author=author,
        text=text,
        url=url,
        language=common.language(tweet.get("lang"), flags),
        reply_to=references.get("reply_to"),
        repost_of=references.get("repost_of"),
        quote_of=references.get("quote_of"),
        mentions=mentions,
        hashtags=hashtags,
        links=links,
        media=_media(tweet, includes),
        geo=_geo(tweet, includes, flags),
        metrics=common.metrics(
            likes=counts.get("like_count"),
            reposts=counts.get("retweet_count"),
            replies=counts.get("reply_count"),
            quotes=counts.get("quote_count"),
            views=counts.get("impression_count"),
        ),
        raw=raw,
        enrichments=common.ingest_enrichments(flags),
    )


_EMPTY = Includes()


def map_record(obj: Any, now: datetime) -> list[Post | Failure]:
    """A page (many posts) or a flattened tweet (one); never raises for bad input."""
    if not isinstance(obj, dict):
        return [Failure("Twitter record is not a JSON object")]
    if not is_page(obj):
        try:
            return [map_tweet(obj, _EMPTY, now, obj)]
        except RecordError as error:
            return [Failure(error.message)]
    data = obj["data"]
    if isinstance(data, dict):
        tweets: list[Any] = [data]
    elif isinstance(data, list):
        tweets = data
    elif data is None:
        tweets = []
    else:
        return [Failure("Twitter page 'data' is neither a list nor an object")]
    includes = Includes.of(obj.get("includes"))
    meta = obj.get("__twarc")
    results: list[Post | Failure] = []
    for index, tweet in enumerate(tweets):
        try:
            if not isinstance(tweet, dict):
                raise RecordError("tweet is not a JSON object")
            raw: dict[str, Any] = {"data": tweet}
            subset = includes.subset_for(tweet)
            if subset:
                raw["includes"] = subset
            if meta is not None:
                raw["__twarc"] = meta
            results.append(map_tweet(tweet, includes, now, raw))
        except RecordError as error:
            results.append(Failure(error.message, tweet, f"data[{index}]"))
    return results
