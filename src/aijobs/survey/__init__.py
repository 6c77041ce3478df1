"""Survey layer: reading an aijobs.net salary file and deriving the evidence tables."""
