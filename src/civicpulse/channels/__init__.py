"""Channels talk back to the world: they deliver alerts (webhooks, e-mail) from the outbox."""
