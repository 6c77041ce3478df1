"""Reports layer: reports.yaml, parameters, the cache, page rendering and the build."""
