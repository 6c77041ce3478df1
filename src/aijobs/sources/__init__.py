"""Readers of the sources beside the survey: BLS OEWS and Indeed Hiring Lab."""
