"""requirements domain."""
