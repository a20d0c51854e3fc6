"""Channels talk back to the world: they deliver alerts (webhooks, e-mail) from the outbox."""

from civicpulse.channels.base import Channel, DeliveryError, Message, Receipt

__all__ = ["Channel", "DeliveryError", "Message", "Receipt"]
