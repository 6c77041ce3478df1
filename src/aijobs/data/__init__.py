"""Data layer: the article's tables in data/, their schemas (sidecars) and provenance."""
