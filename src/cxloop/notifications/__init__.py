"""Notifications: emails over SMTP and signed webhooks, delivered by jobs, with a delivery log."""
