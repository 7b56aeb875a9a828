"""The catalog: models of the data files, loading, pinning and validation with the cross-file checks."""
