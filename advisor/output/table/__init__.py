"""Tables for people (rich): one module per kind of result, and what they share (common.py)."""
