"""database domain."""
