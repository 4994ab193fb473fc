"""dockerfile domain."""
