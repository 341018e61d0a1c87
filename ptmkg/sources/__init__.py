"""Sources: each module reads one kind of input into typed polars frames (no RDF here)."""
