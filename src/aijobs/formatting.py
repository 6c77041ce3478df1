"""Text formats for numbers shown to readers (shared by the analysis and chart layers)."""

from __future__ import annotations


def money_k(usd: float) -> str:
    """$150K style label for an amount in US dollars."""
    return f"${usd / 1000:,.0f}K"
