"""pysource domain."""
