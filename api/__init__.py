"""peelgraph api package."""
