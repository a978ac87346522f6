"""Contact governance: one engine for every channel (caps, quiet hours, opt-outs, suppression)."""
