"""Markdown documents: one module per kind of result, and the escaping they share (common.py)."""
