"""Invitations: a survey offered to a contact through a channel, with a signed token."""
