"""Paragraphs of the article pages (overview, growth rates, entry competitiveness, compensation
bands) that state a count, a direction or a verdict, built from the tables they describe.

A notebook shows each with display.show_markdown; nothing here is typed as a finding, so a
table with other values (a user's own file, a filtered selection, another snapshot) gets other
words. Each function is tested with data where the opposite holds.
"""

from __future__ import annotations

import pandas as pd

from aijobs import words

BASIS_TEXT = {"tech_hub_average": "as averages for the big tech hubs",
              "user_supplied": "as figures supplied with the file"}


def _variants(cell: object) -> list[str]:
    """A role's alternative names, each once whatever its capitals ('AI/ML engineers' and
    'AI/ML Engineers' are one name)."""
    seen: dict[str, str] = {}
    for name in str(cell or "").split(";"):
        name = name.strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def _lower_first(label: str) -> str:
    """A label inside a sentence: 'Junior role in AI itself' -> 'junior role in AI itself'; an
    initialism stays ('AI-adjacent role')."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def roles_paragraph(all_roles: pd.DataFrame, shown: pd.DataFrame | None = None) -> str:
    """How many distinct roles the article names once its names for one job are merged, with
    an example of two names merged, and how many of them this page shows."""
    n = len(all_roles)
    merged = [(r["role_name"], v) for _, r in all_roles.iterrows()
              if len(v := _variants(r.get("name_variants"))) > 1]
    if merged:
        example = merged[0][1]
        text = (f"The article names {words.spelled_count(n, 'distinct role')} once its alternative "
                f"names for the same job are merged (for example \"{example[0]}\" and "
                f"\"{example[1]}\"; {words.spelled(len(merged))} of the roles go by more than one "
                "name).")
    else:
        text = f"The article names {words.spelled_count(n, 'distinct role')}, each under one name."
    if shown is not None and len(shown) != n:
        text += (f" This page shows {words.spelled(len(shown))} of them, the role groups the "
                 "parameters select.")
    return text + " Each role has its own row, so every name can be read."


def skills_paragraph(skills: pd.DataFrame) -> str:
    """Which skills everyone lists, how many technical skills the author flags as
    under-appreciated, and (where soft skills are shown) what the author says of them."""
    technical = skills[skills["skill_type"] == "technical"]
    soft = skills[skills["skill_type"] == "soft"]
    parts = []
    if len(technical):
        common = list(technical.loc[technical["is_widely_discussed"].astype(bool), "skill_name"])
        under = int(technical["is_underrated"].astype(bool).sum())
        flagged = (f"the author flags {words.spelled_count(under, 'technical skill')} as "
                   "under-appreciated" if under else
                   "the author flags no technical skill as under-appreciated")
        parts.append(f"Beyond the skills everyone lists ({words.listing(common)}), {flagged}"
                     if common else words.capitalised(flagged))
    if len(soft):
        lead = "and argues" if parts else "The author argues"
        parts.append(f"{lead} that human judgment and communication gain weight as AI does "
                     f"more of the execution ({words.spelled_count(len(soft), 'soft skill')} "
                     "listed)")
    if not parts:
        return "No skills are selected."
    return ", ".join(parts) + "."


def shelf_life_paragraph(shelf_life_months: float, first_role: pd.DataFrame) -> str:
    """The article's skill shelf life set against each learning path's timed study: whether
    every path's study ends before what was learned first may date."""
    head = f"The reality check says how soon skills may date: within {shelf_life_months:g} months."
    if first_role.empty:
        return head
    longest = first_role.loc[first_role["months_max"].idxmax()]
    fits = first_role["months_max"] <= shelf_life_months
    if fits.all():
        return (f"{head} Set against the learning paths, "
                f"{'the' if len(fits) == 1 else 'every'} path's timed study fits inside that "
                f"window (the longest, {longest['path_name']}, takes up to "
                f"{longest['months_max']:g} months), so what is learned first is still "
                "current when the study ends; how long finding a first role then takes, the "
                "article does not say, and keeping skills current is the ongoing work.")
    over = first_role[~fits]
    detail = "; ".join(f"{r['path_name']}: up to {r['months_max']:g} months"
                       for _, r in over.iterrows())
    return (f"{head} Set against the learning paths, the timed study of "
            f"{words.n_of(len(over), len(fits), 'path', 'runs')} past that window ({detail}), "
            "so part of what is learned first may date before the study ends.")


def growth_intro(growth: pd.DataFrame, *, from_article: bool = True,
                 setting: str = "the period setting") -> str:
    """How many roles have growth figures, their range, and whether any states its period
    (growth is growth_table's output, fastest first)."""
    who = "the article" if from_article else "the growth file"
    n = len(growth)
    if not n:
        return f"No role of {who} is selected."
    top, low = growth["growth_pct"].max(), growth["growth_pct"].min()
    span = (f"{top:+.0f}%" if top == low else f"from {low:+.0f}% to {top:+.0f}%")
    text = (f"{words.capitalised(words.spelled_count(n, 'role'))} "
            f"{words.verb_for(n, 'is')} singled out as the fastest growing, with percentage "
            f"growth figures {span}.")
    unstated = growth["growth_period"].astype(str).str.lower().isin(["unstated", "", "nan"])
    if unstated.all():
        text += (f" **{words.capitalised(who)} does not say over what period.** A figure of "
                 f"{top:+.0f}% means something very different over one year and over five, so "
                 "this report first shows the whole range over periods of one to five years, "
                 f"and only then charts one reading (set by {setting}) as an example, not a "
                 "forecast.")
    elif unstated.any():
        text += (f" {words.capitalised(words.n_of(int(unstated.sum()), n, 'figure', 'has'))} "
                 "no stated period, so this report shows the range over periods of one to five "
                 f"years before charting one reading (set by {setting}).")
    else:
        text += " Each figure states its period; the range below still shows other readings."
    return text


def _period_unstated(period: object) -> bool:
    return str(period).strip().lower() in ("unstated", "", "nan", "none", "<na>")


def period_range_notes(periods: pd.DataFrame, growth: pd.DataFrame, horizon_years: int,
                       decay: float, *, from_article: bool = True) -> list[str]:
    """One sentence per role: the spread of demand after `horizon_years` over the periods read
    (periods is period_range's output), and whether the figure's source states its period."""
    who = "the article" if from_article else "the growth file"
    stated = dict(zip(growth["role_id"], growth["growth_period"], strict=True))
    notes = []
    for role_id, r in periods.groupby("role_id", sort=False):
        low, high = r["demand_index"].min(), r["demand_index"].max()
        period = stated.get(role_id)
        tail = (f"{who} does not say over what period" if _period_unstated(period)
                else f"{who} states {period}")
        notes.append(f"{r['role_name'].iloc[0]}: after {horizon_years:g} "
                     f"{words.noun_for(horizon_years, 'year')} (growth slowing by {decay:.0%} a "
                     f"year), demand is x{low:,.1f} to x{high:,.1f} today's, depending on the "
                     f"period; {tail}.")
    return notes


def charts_reading(period_years: float | None, setting: str = "the period setting") -> str:
    """Which reading of the growth figures the charts below use."""
    if period_years is None:
        return ("Charts below: the figures read as growth over one year, the fastest reading and "
                f"the upper end of the range above; change {setting} to chart another.")
    return (f"Charts below: the figures read as growth over {period_years:g} "
            f"{words.noun_for(period_years, 'year')} (set by {setting}).")


def compounding_paragraph(growth: pd.DataFrame, years: int) -> str:
    """What the fastest yearly rate gives if it held unchanged for `years` years, and so why
    the projection slows the rates down."""
    tail = ("slows each rate down every year, by the slowdown of growth the settings give. "
            "The index starts at 1 today; the scale is logarithmic, so equal steps up mean "
            "equal multiples.")
    if growth.empty:
        return "The projection " + tail
    fastest = growth.loc[growth["annual_rate_pct"].idxmax()]
    multiple = (1 + fastest["annual_rate_pct"] / 100) ** years
    held = (f"compounded unchanged for {words.count(years, 'year')}, {fastest['role_name']}'s "
            f"{fastest['annual_rate_pct']:,.0f}% a year gives demand "
            f"{words.multiple_text(multiple)} today's (x{multiple:,.1f})")
    if multiple >= 10:
        return f"Rates this high cannot last: {held}. The projection therefore {tail}"
    return f"{words.capitalised(held)}. The projection still {tail}"


def postings_end_sentence(postings: pd.DataFrame, overall: str = "All US postings") -> str:
    """When Indeed's series end: the sector series' last day and the all-postings series' last
    day, read from the table."""
    ends = pd.to_datetime(postings["date"]).groupby(postings["series"]).max()

    def day(d: pd.Timestamp) -> str:
        return f"{d.day} {d:%B %Y}"

    sectors = ends.drop(overall, errors="ignore")
    parts = []
    if len(sectors):
        last = sorted(set(sectors))
        if len(last) == 1:
            parts.append(f"The sector series end on {day(last[0])}")
        else:
            parts.append("The sector series end between " + day(last[0]) + " and " + day(last[-1]))
    if overall in ends:
        parts.append(f"{'the' if parts else 'The'} all-postings series on {day(ends[overall])}")
    return ", ".join(parts) + "." if parts else ""


def board_size_sentence(board: pd.DataFrame) -> str:
    """Why the board chart shows shares: how the board's own count of adverts moved between its
    first and last full year (board is growth_evidence.board_shares' output)."""
    years = board.drop_duplicates("work_year").sort_values("work_year")
    full = years[~years["is_partial"].astype(bool)]
    if len(full) < 2:
        return "A share, not a count, because the board's size is not a count of jobs."
    first, last = full.iloc[0], full.iloc[-1]
    change = last["all_postings"] - first["all_postings"]
    verb = words.direction(change, ("grew", "shrank", "stayed"))
    return (f"A share, not a count, because the board itself {verb} from "
            f"{words.count(first['all_postings'], 'advert')} in {first['work_year']} to "
            f"{words.count_text(last['all_postings'])} in {last['work_year']}, its last full "
            "year.")


def entry_intro(entry: pd.DataFrame, paths: pd.DataFrame) -> str:
    """How many routes in and learning paths the article names, from the hardest route to the
    easiest (entry is transforms.entry_ranking's output, hardest first)."""
    routes = words.spelled_count(len(entry), "route")
    if len(entry) > 1:
        hardest, easiest = (_lower_first(entry.iloc[i]["entry_label"]) for i in (0, -1))
        routes += f" into AI work, from the hardest ({hardest}) to the easiest ({easiest})"
    else:
        routes += " into AI work"
    return (f"How hard is it to get in, and how long does it take to get ready? The article "
            f"names {routes}, and {words.spelled_count(len(paths), 'learning path')} with month "
            "ranges for their steps. This report ranks the routes, lays the paths out on a "
            "timeline, and adds up the months of learning before a first role on each.")


def routes_paragraph(entry: pd.DataFrame) -> str:
    """The routes in the article's order of difficulty, and where it says most people start."""
    order = [_lower_first(r) for r in entry["entry_label"]]
    text = ("The article describes the routes in words, not numbers, so the levels below keep "
            f"only their order, hardest first: {', then '.join(order)}.")
    common = entry[entry["is_most_common_start"].astype(bool)]
    if len(common):
        label = _lower_first(common.iloc[0]["entry_label"])
        if common.index[0] == entry.index[-1]:
            text += (f" It says most careers in AI begin with the last and easiest, {label} "
                     "(its view; no data here counts where careers begin).")
        else:
            text += (f" It says most careers in AI begin with {label}, which is not the "
                     "easiest route (its view; no data here counts where careers begin).")
    return text


def bands_intro(bands: pd.DataFrame, *, from_article: bool = True) -> str:
    """How many roles have a pay band, what the figures average over, and how many bands have
    no ceiling (bands is the band table before any selection)."""
    who = "The article" if from_article else "The bands file"
    basis = [BASIS_TEXT.get(b, f"as {b}") for b in dict.fromkeys(bands["basis"].astype(str))]
    n_open = int(bands["is_open_ended"].astype(bool).sum())
    ceiling = (f"marks {words.spelled_count(n_open, 'band')} as having no ceiling" if n_open
               else "gives every band a ceiling")
    return (f"What do the best-paid AI roles earn? {who} gives a low and a high annual figure for "
            f"{words.spelled_count(len(bands), 'role')}, {words.listing(basis)}, and {ceiling}. "
            "This report charts those bands with their midpoints, and lets you adjust them: by a "
            "factor for another region's pay, or to a world where part of today's AI scarcity "
            "premium has worn away.")
