"""Mapping: typed frames → triples, built column-wise (see :mod:`ptmkg.mapping.terms`)."""
