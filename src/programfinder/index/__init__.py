"""Index: building, storing, opening, caching and scoring the arrays of a corpus's search index
(exhaustive scoring and the exact pruned top-k paths)."""
