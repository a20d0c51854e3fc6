"""civicpulse: public social media for public safety, with privacy and accountability built in."""

from civicpulse.errors import CivicpulseError
from civicpulse.post import Author, Geo, GeoSource, Media, MediaKind, Metrics, Post

__all__ = ["Author", "CivicpulseError", "Geo", "GeoSource", "Media", "MediaKind", "Metrics", "Post",
           "__version__"]

__version__ = "0.1.0"
