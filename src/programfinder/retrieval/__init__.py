"""Retrieval: the public face of an index (``ProgramIndex``: search, similar programs), hits and
their explanations, facets, the JSON shapes the front ends share, and relevance evaluation."""
