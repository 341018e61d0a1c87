"""Literature claims as executable, versioned tests over the knowledge graph."""
