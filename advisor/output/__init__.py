"""Output: the format registry, documents, tables and Markdown per kind of result, atomic file writing."""
