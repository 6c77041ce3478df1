"""Sentences about the official and growth evidence, built from the values analysis/ computes
(analysis/official.py and analysis/growth_evidence.py return tables and verdict labels; the
words a reader sees are made here)."""

from __future__ import annotations

import pandas as pd

from aijobs.sources import oews


def populations(year: int) -> str:
    """What each source describes, said once."""
    return (f"The job board: pay ranges advertised in job ads on aijobs.net (new openings). "
            f"BLS OEWS: {oews.POPULATION}, May {year}. The article: 'tech-hub averages' with "
            "no source, date or sample. All three are base pay only.")


def agreement_summary(by_source: pd.DataFrame) -> str:
    """One sentence counting the claims on which the sources agree, disagree, or only one
    (or neither) can test."""
    lines = by_source.loc[by_source["source"] == "overall", "verdict"]
    if lines.empty:
        return "No pay claim to compare."
    counts = {"agree": int(lines.str.startswith("the sources agree").sum()),
              "disagree": int(lines.str.startswith("the sources disagree").sum()),
              "one": int(lines.str.startswith("only").sum()),
              "none": int(lines.str.startswith("neither").sum())}
    parts = [f"the sources agree on {counts['agree']}",
             f"disagree on {counts['disagree']}"]
    if counts["one"]:
        parts.append(f"only one source can test {counts['one']}")
    if counts["none"]:
        parts.append(f"neither can test {counts['none']}")
    noun = "claim" if len(lines) == 1 else "claims"
    return f"Of {len(lines)} pay {noun}, " + ", ".join(parts) + "."


def employment_sentence(employment: pd.DataFrame) -> str:
    """Which occupation grew most and which least (or shrank most), from the values."""
    known = employment.dropna(subset=["change"]).sort_values("change", kind="stable")
    if known.empty:
        return "No occupation has employment estimates in both years."
    top, bottom = known.iloc[-1], known.iloc[0]
    first, last = int(top["first_year"]), int(top["last_year"])
    verb = "grew" if top["change"] >= 0 else "shrank"
    text = (f"From May {first} to May {last}, {top['occ_title']} {verb} the most "
            f"({top['change']:+.0%}: {top['first_employment']:,.0f} to "
            f"{top['last_employment']:,.0f} jobs)")
    if len(known) > 1:
        how = "grew the least" if bottom["change"] >= 0 else "shrank the most"
        text += f"; {bottom['occ_title']} {how} ({bottom['change']:+.0%})"
    missing = employment.loc[employment["change"].isna(), "occ_code"].tolist()
    if missing:
        text += f". No estimate in both years for {', '.join(missing)}"
    return text + "."


def peak_sentences(peaks: pd.DataFrame) -> list[str]:
    """One sentence per Indeed series: change from its peak, and where it stands against
    1 February 2020."""
    out = []
    for _, r in peaks.iterrows():
        level = ("above" if r["latest_index"] > 100 else
                 "below" if r["latest_index"] < 100 else "at")
        out.append(f"{r['series']}: {r['change_from_peak']:+.0%} from its peak on "
                   f"{r['peak_date']} to {r['latest_date']}, {level} its level of 1 February "
                   f"2020 (index {r['latest_index']:.1f}). Source: Indeed Hiring Lab.")
    return out
