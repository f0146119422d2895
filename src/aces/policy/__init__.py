"""The policy (``aces.toml``): schema, loader and the doctrine ratchet."""
