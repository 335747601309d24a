"""peelgraph search package."""
