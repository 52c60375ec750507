"""Records: the program record, reading and checking a corpus (Markdown, JSONL, CSV), filters,
awards, statistics and writing a new record. The bottom layer: it imports only ``errors``."""
