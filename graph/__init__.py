"""peelgraph graph package."""
