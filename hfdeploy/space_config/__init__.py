"""space_config domain."""
