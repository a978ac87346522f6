"""cxloop: open-source customer experience management."""
