"""Answers: the registry that defines each one, the chain of sources (flags, files, scan, wizard, defaults), the inventory."""
