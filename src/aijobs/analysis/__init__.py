"""Analysis layer: transforms of the tables, the salary-normalization scenarios, the audit."""
