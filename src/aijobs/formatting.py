"""Text formats for numbers shown to readers (shared by the analysis and chart layers)."""

from __future__ import annotations


def money_k(usd: float) -> str:
    """$150K style label for an amount in US dollars."""
    return f"${usd / 1000:,.0f}K"


def signed_usd(usd: float) -> str:
    """+$1,234 or -$1,234: a change in US dollars with its sign in front of the dollar."""
    return f"{'-' if usd < 0 else '+'}${abs(usd):,.0f}"
