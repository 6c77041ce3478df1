"""AI job market suite: curated article data, validated tables, charts and HTML reports."""

__version__ = "0.1.0"
