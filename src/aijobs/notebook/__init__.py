"""Notebook layer: what notebooks call to show figures, tables, notes and sources."""
