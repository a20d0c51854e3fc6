"""Alert rules (words, phrases, hashtags, geofences, event growth, rumours near a place); see
``docs/alerts.md``. The detector is ``civicpulse.detectors.alerts``, delivery ``civicpulse.alerts.outbox``
and the pipeline sink ``civicpulse.alerts.sink`` (not imported here: they import this package)."""

from civicpulse.alerts.geofence import Geofence, parse_geofence
from civicpulse.alerts.query import QueryError, format_query, parse_query
from civicpulse.alerts.rules import Rule, add_rule, build_rule, disable_rule, list_rules

__all__ = ["Geofence", "QueryError", "Rule", "add_rule", "build_rule", "disable_rule", "format_query", "list_rules",
           "parse_geofence", "parse_query"]
