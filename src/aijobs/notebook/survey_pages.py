"""What the survey pages show beside their charts: provenance, and tables of pay and premiums
in which a suppressed cell reads as suppressed (with its reason), never as a number."""

from __future__ import annotations

import html
import json
import math
from typing import Any

import pandas as pd

from aijobs import paths
from aijobs.notebook import display
from aijobs.survey import summaries
from aijobs.survey.evidence import EXPERIENCE_NAMES, Evidence, country_name, with_role_names
from aijobs.survey.postings import PAY_MEASURE_TEXT
from aijobs.words import capitalised, count, listing, percent_text, spelled_count, verb_for


def _usd(v: float) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"${v:,.0f}"


def _interval(lo: float, hi: float) -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)):
        return "too few for an interval"
    return f"{_usd(lo)} to {_usd(hi)}"


def show_provenance(ev: Evidence) -> None:
    """The five facts every survey page states, then the exclusions."""
    for line in ev.provenance_lines:
        display.show_note(line)
    display.show_note(ev.summary)
    excluded = ev["survey_exclusions"]
    if len(excluded):
        display.show_table(excluded, {"reason": "Rows excluded because", "rows": "Rows",
                                      "example_rows": "Example lines"})
    else:
        display.show_note("No rows of the file were excluded: every row passed the checks.")


def year_labels(ev: Evidence) -> dict[str, str]:
    """Work year -> label; a partial year carries its dates and n, e.g. '2025 (to 19 Jan)'."""
    years = ev.tables["survey_years"]
    out = {}
    for _, y in years.iterrows():
        year = str(int(y["work_year"]))
        if bool(y["is_partial"]):
            out[year] = f"{year} ({y['covers']}, {count(int(y['n_postings']), 'posting')})"
    return out


def pay_cells(pct: pd.DataFrame, other: pd.DataFrame | None = None,
              other_label: str = "") -> pd.DataFrame:
    """Display rows of a percentile table: n, median with interval, middle half, grade.

    `other`, the same table under the other repeats policy, adds the median there and says
    whether the cell's grade or median moves by more than its interval.
    """
    order = {"all": 0, "EN": 1, "MI": 2, "SE": 3, "EX": 4}
    named = with_role_names(pct)
    named = named.assign(_o=[order.get(v, 9) for v in named["group_value"]]) \
        .sort_values(["role_name", "_o"], kind="stable")
    alt = other.set_index(["role_id", "group_value"]) if other is not None else None
    rows = []
    for _, r in named.iterrows():
        level = EXPERIENCE_NAMES.get(r["group_value"], "All levels")
        # every posting and file row of the cell (with repeats dropped, n_postings counts the
        # distinct adverts the percentiles use; Evidence adds the cell's own counts)
        row = {"role_name": r["role_name"], "level": level,
               "n_postings": int(r.get("n_postings_all", r["n_postings"])),
               "n_adverts": int(r["n_adverts"]),
               "n_rows": int(r.get("n_rows_all", r["n_rows"])),
               "reliability": r["reliability"] + (" (dominated by one advert)"
                                                  if bool(r["is_dominated"]) else "")}
        if r["reliability"] == "suppressed":
            row |= {"median": f"suppressed: {r['reliability_reason']}", "interval": "–",
                    "middle_half": "–"}
        else:
            row |= {"median": _usd(r["p50_usd"]),
                    "interval": _interval(r["p50_ci95_low_usd"], r["p50_ci95_high_usd"]),
                    "middle_half": f"{_usd(r['p25_usd'])} to {_usd(r['p75_usd'])}"}
        if alt is not None:
            key = (r["role_id"], r["group_value"])
            if key in alt.index:
                o = alt.loc[key]
                row["other"] = ("suppressed" if o["reliability"] == "suppressed"
                                else f"{_usd(o['p50_usd'])} ({int(o['n_postings']):,} postings, "
                                     f"{int(o['n_adverts']):,} adverts"
                                     + (", dominated by one advert" if bool(o["is_dominated"])
                                        else "") + ")")
                moved = (r["reliability"] != "suppressed" and o["reliability"] != "suppressed"
                         and not (r["p50_ci95_low_usd"] <= o["p50_usd"]
                                  <= r["p50_ci95_high_usd"]))
                row["moves"] = "yes, outside the interval" if moved else "no"
            else:
                row["other"], row["moves"] = "no postings", "-"
        rows.append(row)
    return pd.DataFrame(rows, columns=["role_name", "level", "n_postings", "n_adverts", "n_rows",
                                       "median",
                                       "interval", "middle_half", "reliability",
                                       *(["other", "moves"] if other is not None else [])])


PAY_COLUMNS = {"role_name": "Role", "level": "Experience", "n_postings": "Postings",
               "n_adverts": "Distinct adverts", "n_rows": "File rows", "median": "Median posting",
               "interval": "95% interval",
               "middle_half": "Middle half", "reliability": "Reliability"}


def _excludes_zero(x: pd.Series) -> bool:
    return bool(x["premium_ci95_low"] > 0 or x["premium_ci95_high"] < 0)


def _sign_flip(r: pd.Series, o: pd.Series) -> str:
    """Whether the premium's sign differs between the two repeats policies: 'yes' only when it
    does and at least one reading's 95% interval excludes zero; two estimates of opposite sign
    whose intervals both include zero are no sign either reading can tell."""
    if (o["premium"] > 0) == (r["premium"] > 0):
        return "no"
    if _excludes_zero(r) or _excludes_zero(o):
        return "yes"
    return "no sign either way (both intervals include zero)"


def premium_cells(ev: Evidence) -> pd.DataFrame:
    """Each role's pooled premium under both baselines, raw and mix-adjusted, with intervals,
    and the raw figure under the other repeats policy (flagging a change of sign)."""
    rows = []
    frames = {(b, g): ev.premium(g, b) for b in ("software_engineer", "software_family")
              for g in ("all", "mix_adjusted")}
    other = ev.premium("all", "software_engineer", ev.other_repeats).set_index("role_id")
    base = with_role_names(frames[("software_engineer", "all")])
    for _, r in base.iterrows():
        row = {"role_name": r["role_name"]}
        for (b, g), frame in frames.items():
            x = frame.set_index("role_id").loc[r["role_id"]] if r["role_id"] in set(
                frame["role_id"]) else None
            label = f"{b}_{g}"
            if x is None or not bool(x["is_computable"]):
                row[label] = "not computable" + (f": {x['reason']}" if x is not None else "")
            else:
                row[label] = (f"{x['premium']:+.1%} ({x['premium_ci95_low']:+.1%} to "
                              f"{x['premium_ci95_high']:+.1%})")
        o = other.loc[r["role_id"]] if r["role_id"] in other.index else None
        if o is None or not bool(o["is_computable"]):
            row["other"], row["sign_flips"], row["moves"] = "not computable", "-", "-"
        else:
            row["other"] = (f"{o['premium']:+.1%} ({o['premium_ci95_low']:+.1%} to "
                            f"{o['premium_ci95_high']:+.1%})")
            both = bool(r["is_computable"])
            row["sign_flips"] = _sign_flip(r, o) if both else "-"
            row["moves"] = ("-" if not both else "yes, outside the interval"
                            if not r["premium_ci95_low"] <= o["premium"] <= r["premium_ci95_high"]
                            else "no")
        rows.append(row)
    return pd.DataFrame(rows, columns=["role_name", *(f"{b}_{g}" for b, g in frames),
                                       "other", "sign_flips", "moves"])


def change_with_interval(change: float, low: float, high: float) -> str:
    """'+14.0% (+1.8% to +26.2%)'; an interval that collapses onto its estimate (ties: the
    median sits in a run of identical pay figures, as when one advert's repeats fill a cell)
    bounds nothing, and says so rather than reading as certainty."""
    if pd.isna(change):
        return "no cell in both years"
    if pd.isna(low) or pd.isna(high) or abs(high - low) < 5e-4:
        return (f"{change:+.1%} (no usable interval: identical pay figures fill the cells "
                "compared)")
    return f"{change:+.1%} ({low:+.1%} to {high:+.1%})"


def directions_disagree(signs_differ: bool, low: float, high: float,
                        change: float = 0.0) -> str:
    """Whether a year's raw and like-for-like changes point different ways, in words: "yes"
    only where the like-for-like change's 95% interval (low, high) lies wholly on one side of
    zero; where it spans zero (or is missing) its direction cannot be told; with no
    like-for-like change (no cell in both years: change NaN) there is nothing to compare."""
    if pd.isna(change):
        return "cannot tell: no like-for-like change (no cell in both years)"
    if not signs_differ:
        return "no"
    if pd.notna(low) and pd.notna(high) and (low > 0 or high < 0):
        return "yes"
    return "cannot tell: the like-for-like interval spans zero"


def yoy_cells(ev: Evidence, labels: dict[str, str]) -> pd.DataFrame:
    """Year-on-year changes per role with the like-for-like interval, and the like-for-like
    change under the other repeats policy beside it."""
    yoy = with_role_names(ev.view("survey_yoy"))
    other = ev.view("survey_yoy", ev.other_repeats).set_index(["role_id", "work_year"])
    rows = []
    for _, r in yoy.iterrows():
        row = {"role_name": r["role_name"],
               "year": labels.get(str(int(r["work_year"])), str(int(r["work_year"]))),
               "n_postings": int(r["n_postings"]), "raw_change": f"{r['raw_change']:+.1%}",
               "like_for_like": change_with_interval(r["like_for_like_change"],
                                                     r["like_for_like_ci95_low"],
                                                     r["like_for_like_ci95_high"]),
               "cells_matched": int(r["cells_matched"]),
               "signs_disagree": directions_disagree(bool(r["signs_disagree"]),
                                                     r["like_for_like_ci95_low"],
                                                     r["like_for_like_ci95_high"],
                                                     r["like_for_like_change"])}
        key = (r["role_id"], r["work_year"])
        o = other.loc[key] if key in other.index else None
        row["other"] = ("-" if o is None or pd.isna(o["like_for_like_change"])
                        else change_with_interval(o["like_for_like_change"],
                                                  o["like_for_like_ci95_low"],
                                                  o["like_for_like_ci95_high"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=["role_name", "year", "n_postings", "raw_change",
                                       "like_for_like", "cells_matched", "signs_disagree",
                                       "other"])


PREMIUM_COLUMNS = {"role_name": "Role",
                   "software_engineer_all": "Over Software Engineer (95% interval)",
                   "software_engineer_mix_adjusted": "Same, within experience level",
                   "software_family_all": "Over the software family",
                   "software_family_mix_adjusted": "Same, within experience level"}


def title_map_rows(title_map: pd.DataFrame) -> pd.DataFrame:
    """The title map with what each title counts as, in words."""
    roles = with_role_names(title_map.assign(role_id=title_map["role_id"].fillna("")))
    counts = []
    for _, t in roles.iterrows():
        if t["role_id"]:
            counts.append(t["role_name"])
        elif t["is_baseline"]:
            counts.append("Baseline: Software Engineer (and the software family)")
        elif t["is_software_family"]:
            counts.append("Baseline: software family")
        else:
            counts.append("No role")
    return roles.assign(counts_as=counts)


def pay_by_role_paragraph(dominance_share: float) -> str:
    """What the pay-by-role table holds, with the dominance rule's threshold as the code
    applies it (summaries.DOMINANCE_SHARE)."""
    return ("The pay advertised for each role, with the number of postings, distinct adverts "
            "and file rows behind it, the median's 95% interval and its reliability grade. The "
            "interval treats the units counted as independent. With identical postings counted "
            "once (the default), each distinct advert is one unit and the interval is the "
            "ordinary one; with them kept, copies of one advert are not independent, so the "
            "interval is taken at the cell's effective number of independent adverts, which "
            "widens it when copies of one advert weigh heavily. A cell where "
            f"one advert is more than {percent_text(dominance_share)} of the postings is marked "
            "\"dominated by one advert\" and never graded reliable. The last two columns give "
            "the median when identical postings are treated the other way, and whether that "
            "moves it outside its interval.")


def unmapped_sentence(provenance: dict) -> str:
    """How many postings, under how many titles, count as none of the article's roles. The
    count covers every title without a role other than the Software Engineer baseline, so the
    software-family and history-baseline titles and the contested titles left unmapped (all
    listed in the title map) are among them; the posting mix, shown earlier on the page,
    counts them as titles mapped to no role."""
    n, titles = int(provenance["postings_unmapped"]), int(provenance["unmapped_titles"])
    if not n:
        return "Every posting's title counts as one of the article's roles or the baseline."
    return (f"{count(n, 'posting')} under {count(titles, 'title')} "
            f"{verb_for(n, 'counts')} as none of the article's roles (the software family, the "
            "history baseline and the contested titles left unmapped among them); they stay in "
            "the file, and the posting mix earlier on this page counts them as titles mapped to "
            "no role.")


def title_map_paragraph(title_map: pd.DataFrame) -> str:
    """The title-map policy, and which titles are contested (mapped or not), from the map."""
    contested = title_map[title_map["is_contested"].astype(bool)]
    unmapped = list(contested.loc[contested["role_id"].isna(), "job_title"])
    mapped = list(contested.loc[contested["role_id"].notna(), "job_title"])
    text = ("A title counts as one of the article's roles only when it names AI, ML or deep "
            "learning and describes the same job.")
    if contested.empty:
        return text + " No title is marked contested in the title map."
    parts = []
    if unmapped:
        parts.append(f"{listing(unmapped)} {verb_for(len(unmapped), 'stays')} unmapped (a "
                     "generic title that names none of these, or a different job)")
    if mapped:
        parts.append(f"{listing(mapped)} {verb_for(len(mapped), 'is')} mapped")
    return (f"{text} {capitalised(spelled_count(len(contested), 'title'))} "
            f"{verb_for(len(contested), 'is')} contested: {'; '.join(parts)}. A reasonable "
            "analyst could decide each of them otherwise, so the table after this one shows "
            "what each would change to the role's verdict on the article's band.")


# The slice switch: controls for role, experience level, company country and work year that
# pick one of the slices precomputed at build time (survey.summaries.slice_table), embedded in
# the page as JSON; a small script of our own (templates/slices.js) only selects and shows
# them, places a typed salary among the slice's percentiles, and keeps the choice in the
# address. Nothing is estimated in the browser.
SLICE_LEVELS = ("all", "EN", "MI", "SE", "EX")
SLICE_SCRIPT = paths.TEMPLATES_DIR / "slices.js"
MEASURE_PLURAL = {"midpoint": "midpoints", "range_low": "advertised minimums",
                  "range_high": "advertised maximums", "rows": "file rows' pay"}


def _whole_dollars(values) -> list[int | None]:
    return [None if pd.isna(v) else round(float(v)) for v in values]


def slice_payload(slices: pd.DataFrame, *, role_names: dict[str, str],
                  year_labels: dict[str, str] | None = None,
                  default: dict[str, str] | None = None, min_n: int = 30,
                  repeats: str = "drop", pay_measure: str = "midpoint",
                  bounds_usd: tuple[float, float] = (10_000, 5_000_000)) -> dict:
    """What the page embeds for its slice switch: the options of each control (only values
    that hold postings, countries by distinct adverts, most first), the default choice, and
    per slice [n, postings, grade, dominated, reason, percentiles, interval lows, highs] with
    n, grade and reason as the package gave them and money in whole dollars; a suppressed
    slice carries no percentile. Keys are the options' positions, joined by '|'."""
    year_labels = year_labels or {}
    allv = summaries.SLICE_ALL
    whole = slices[(slices["experience_level"] == allv) & (slices["work_year"] == allv)
                   & (slices["role_id"] == allv)]
    by_country = dict(zip(whole["company_location"], whole["n_adverts"], strict=True))
    countries = sorted((c for c in by_country if c != allv), key=lambda c: (-by_country[c], c))
    roles = sorted({r for r in slices["role_id"] if r != allv},
                   key=lambda r: role_names.get(r, r))
    levels = [lv for lv in SLICE_LEVELS if lv == allv or lv in set(slices["experience_level"])]
    years = sorted({y for y in slices["work_year"] if y != allv}, reverse=True)
    unit = "distinct advert" if repeats == "drop" else "posting"
    options = {
        "role": [[allv, "Any of the article's roles"]]
        + [[r, role_names.get(r, r)] for r in roles],
        "level": [[lv, EXPERIENCE_NAMES.get(lv, "All levels")] for lv in levels],
        "country": [[allv, "All countries"]]
        + [[c, f"{country_name(c)} ({count(int(by_country[c]), unit)})"] for c in countries],
        "year": [[allv, "All years"]] + [[y, year_labels.get(y, y)] for y in years],
    }
    position = {dim: {v: i for i, (v, _) in enumerate(opts)} for dim, opts in options.items()}
    quantiles = [round(q * 100) for q in summaries.SLICE_QUANTILES]
    reasons: list[str] = []
    out = {}
    # column by column as plain Python values: a pandas row per slice (iterrows) cost most of
    # the page's cells (1,182 slices; counted with cProfile)
    dims = ("role", "level", "country", "year")
    keys = zip(*(slices[c].tolist() for c in summaries.SLICE_KEYS), strict=True)
    parts = [list(zip(*(slices[f"p{q}_{part}"].tolist() for q in quantiles), strict=True))
             for part in ("usd", "ci95_low_usd", "ci95_high_usd")]
    for i, (values, n_adverts, n_postings, grade, dominated, reason) in enumerate(zip(
            keys, slices["n_adverts"].tolist(), slices["n_postings"].tolist(),
            slices["reliability"].tolist(), slices["is_dominated"].tolist(),
            slices["reliability_reason"].tolist(), strict=True)):
        key = "|".join(str(position[d][v]) for d, v in zip(dims, values, strict=True))
        reason = str(reason)
        if reason not in reasons:
            reasons.append(reason)
        row: list[Any] = [int(n_adverts), int(n_postings), summaries.RELIABILITY.index(grade),
                          int(bool(dominated)), reasons.index(reason)]
        if grade != "suppressed":
            for part in parts:
                row.append(_whole_dollars(part[i]))
        out[key] = row
    first = {dim: opts[0][0] for dim, opts in options.items()}
    if roles:  # the role with the most adverts in the whole file
        totals = slices[(slices["experience_level"] == allv) & (slices["work_year"] == allv)
                        & (slices["company_location"] == allv) & (slices["role_id"] != allv)]
        first["role"] = str(totals.sort_values(["n_adverts", "role_id"],
                                               ascending=[False, True])["role_id"].iloc[0])
    chosen = {**first, **{d: v for d, v in (default or {}).items() if v in position.get(d, {})}}
    return {"options": options, "default": chosen, "quantiles": quantiles,
            "grades": list(summaries.RELIABILITY), "reasons": reasons, "slices": out,
            "min_n": min_n, "unit": unit, "measure": PAY_MEASURE_TEXT[pay_measure],
            "measure_plural": MEASURE_PLURAL[pay_measure],
            "bounds_usd": [round(bounds_usd[0]), round(bounds_usd[1])]}


def json_for_script(value: Any) -> str:
    """JSON that can sit inside a <script> element: '<', '>' and '&' escaped as \\u003c..., so
    no text from the data can close the element or open markup (JSON reads them back)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def slice_switch_html(payload: dict, element_id: str = "aijobs-slices") -> str:
    """The slice switch as HTML: labelled controls, the table, the chart, the salary box, the
    embedded slices and the script. Every text is escaped or set by the script as text."""
    eid = html.escape(element_id)
    controls = "".join(
        f'<label>{label}<select name="{dim}" data-dim="{dim}"></select></label>'
        for dim, label in (("role", "Role"), ("level", "Experience level"),
                           ("country", "Company country"), ("year", "Work year")))
    heads = "".join(f"<th>{h}</th>" for h in (
        "Role", f"{capitalised(payload['unit'])}s", "Median advertised pay", "95% interval",
        "Middle half", "Reliability"))
    script = SLICE_SCRIPT.read_text(encoding="utf-8")
    return (
        f'<section class="aijobs-slices" id="{eid}" aria-label="Explore a slice">'
        f'<form class="slice-controls" onsubmit="return false">{controls}</form>'
        '<p class="slice-summary" aria-live="polite"></p>'
        '<div class="aijobs-table-wrap"><table class="aijobs-table slice-table">'
        f'<thead><tr>{heads}</tr></thead><tbody></tbody></table></div>'
        '<figure class="slice-chart"><svg role="img" aria-label=""></svg>'
        '<figcaption></figcaption></figure>'
        '<div class="salary-box"><label>Where does a salary fall? Annual salary in US dollars '
        '<input type="text" inputmode="decimal" autocomplete="off" name="salary" '
        'placeholder="e.g. 150000"></label>'
        '<p class="salary-answer" aria-live="polite"></p></div>'
        '<noscript><p>The slice switch needs JavaScript; the tables below show the page\'s '
        'own slice.</p></noscript>'
        f'<script type="application/json" class="slice-data">{json_for_script(payload)}'
        f'</script><script>{script}</script></section>')


def show_slice_switch(ev: Evidence, *, company_countries: list[str] | None = None,
                      work_years: list[int] | None = None,
                      bounds_usd: tuple[float, float] = (10_000, 5_000_000)) -> None:
    """Display the slice switch in a built page (a note elsewhere: JupyterLab has its own
    explorer); the default view is the page's own slice where it is one slice."""
    slices = ev.slices()
    if slices is None:
        display.show_note(
            "The slice switch is built from the committed slices, which hold each posting's "
            f"{MEASURE_PLURAL['midpoint'][:-1]} only; this page counts "
            f"{PAY_MEASURE_TEXT[ev.pay_measure]}. Give a salary file of your own in "
            "the settings to recompute the slices for it.")
        return
    if not len(slices):
        display.show_note("No posting of the article's roles passes the filters: there is no "
                          "slice to explore.")
        return
    roles = with_role_names(pd.DataFrame({"role_id": sorted(set(slices["role_id"]))}))
    default = {"level": ev.level or summaries.SLICE_ALL,
               "country": company_countries[0] if company_countries and len(
                   company_countries) == 1 else summaries.SLICE_ALL,
               "year": str(work_years[0]) if work_years and len(work_years) == 1
               else summaries.SLICE_ALL}
    labels = {str(int(y["work_year"])): f"{int(y['work_year'])} ({y['covers']})"
              for _, y in ev.tables["survey_years"].iterrows() if bool(y["is_partial"])}
    payload = slice_payload(slices, role_names=dict(zip(roles["role_id"], roles["role_name"],
                                                        strict=True)),
                            year_labels=labels, default=default,
                            min_n=int(ev.provenance["min_n"]), repeats=ev.repeats,
                            pay_measure=ev.pay_measure, bounds_usd=bounds_usd)
    if display.report_mode():
        display.show_html(slice_switch_html(payload))
    else:
        display.show_note("The built page shows a slice switch here (role, level, country, "
                          f"year: {len(payload['slices']):,} slices); in JupyterLab, use the "
                          "explorer below.")
