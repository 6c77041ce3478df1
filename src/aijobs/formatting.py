"""Text formats for numbers shown to readers (shared by the analysis and chart layers)."""

from __future__ import annotations


def money_k(usd: float) -> str:
    """$150K style label for an amount in US dollars."""
    return f"${usd / 1000:,.0f}K"


def signed_usd(usd: float) -> str:
    """+$1,234 or -$1,234: a change in US dollars with its sign in front of the dollar."""
    return f"{'-' if usd < 0 else '+'}${abs(usd):,.0f}"


def number_text(value: float) -> str:
    """A bound or setting as a reader writes it: 10000000 as 10,000,000, 0.5 as 0.5, and a
    number below 10,000 (a year, a count) without a separator."""
    if not float(value).is_integer():
        return f"{value:g}"
    return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
