"""Figure builders checked without a kernel: traces, ranges, open-ended bands, titles."""

from __future__ import annotations

import pytest

from aijobs.analysis import transforms
from aijobs.charts import article_figures
from aijobs.data import tables
from aijobs.formatting import money_k

SOURCE = "Source: test."


def _bands(**kwargs):
    b = transforms.bands_with_midpoints(tables.load_table("salary_bands"),
                                        tables.load_table("roles"))
    return transforms.sorted_bands(transforms.adjusted_bands(b, **kwargs), "midpoint")


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_band_figure_plots_bands_in_thousands():
    fig = article_figures.band_figure(_bands(), SOURCE)
    band = _trace(fig, "Pay band")
    # reversed so the highest midpoint is drawn on top
    assert list(band.y) == ["AI Product Manager", "MLOps Engineer", "AI Solutions Architect",
                            "AI/ML Engineer", "AI Research Scientist"]
    assert list(band.base) == [140, 150, 160, 150, 180]
    assert list(band.x) == [40, 40, 40, 70, 70]  # high - low, in $K
    mid = _trace(fig, "Midpoint")
    assert list(mid.x) == [160, 170, 180, 185, 215]
    assert list(mid.text) == ["$160K", "$170K", "$180K", "$185K", "$215K"]
    assert fig.layout.xaxis.tickprefix == "$" and fig.layout.xaxis.ticksuffix == "K"
    assert fig.layout.title.text.replace("<br>", " ").startswith(
        "In the article's bands, AI Research Scientist has the highest midpoint, $215K a year")
    # a bands file of the user's own is not called the article's
    given = article_figures.band_figure(_bands(), SOURCE, from_article=False)
    assert given.layout.title.text.replace("<br>", " ").startswith(
        "In the bands file given, AI Research Scientist has the highest midpoint, $215K")
    assert any(a.text == SOURCE for a in fig.layout.annotations)
    # no article outline when nothing is adjusted
    assert "Article's band" not in [t.name for t in fig.data]


def test_open_ended_top_is_drawn_open():
    fig = article_figures.band_figure(_bands(), SOURCE)
    open_traces = [t for t in fig.data if t.name == "Open-ended top (+)"]
    assert len(open_traces) == 2
    line, arrow = open_traces
    assert line.line.dash == "dot"
    assert list(line.x)[:2] == [250, pytest.approx(280)]  # 250K plus a 12% extension
    assert list(line.y)[:2] == ["AI Research Scientist"] * 2
    assert arrow.marker.symbol == "triangle-right"


def test_region_multiplier_halves_plotted_bands_and_keeps_article_outline():
    fig = article_figures.band_figure(_bands(region_multiplier=0.5), SOURCE)
    band = _trace(fig, "Pay band")
    assert list(band.base) == [70, 75, 80, 75, 90]
    assert list(band.x) == [20, 20, 20, 35, 35]
    outline = _trace(fig, "Article's band")
    assert list(outline.base) == [140, 150, 160, 150, 180]
    assert "(after a ×0.50 adjustment)" in fig.layout.title.text.replace("<br>", " ")


def test_growth_and_projection_figures():
    g = transforms.growth_table(tables.load_table("growth_rates"), tables.load_table("roles"))
    fig = article_figures.growth_figure(g, SOURCE)
    assert list(fig.data[0].x) == [165, 220, 280]
    assert fig.data[0].text[-1] == "+280% (×3.80)<br>doubles in 6.2 months"
    assert fig.layout.title.text.replace("<br>", " ").startswith(
        "In the article, AI Agent Developer grows fastest: +280%")
    p = transforms.growth_projection(g, 2, 0.5)
    fig = article_figures.projection_figure(p, SOURCE, growth_decay=0.5)
    assert [t.name for t in fig.data] == ["AI Agent Developer", "Prompt Engineer",
                                          "AI Ethics Specialist"]
    assert list(fig.data[0].y) == pytest.approx([1, 3.8, 9.12])
    assert fig.layout.yaxis.type == "log"
    assert "If each figure covered one year: AI Agent Developer ×9.1 after 2 years" \
        in fig.layout.title.text


def test_entry_and_path_figures():
    ranking = transforms.entry_ranking(tables.load_table("entry_points"))
    fig = article_figures.entry_figure(ranking, SOURCE)
    assert list(fig.data[0].x) == [1, 2, 3]
    assert fig.layout.title.text.replace("<br>", " ").startswith(
        "In the article, junior role in AI itself is the hardest way in")
    # a bar carries its rank only (the wording shrank unreadably in a phone's shortest bar);
    # the wording is in the hover
    assert list(fig.data[0].text) == ["Rank 3", "Rank 2", "Rank 1"]
    assert list(fig.data[0].customdata[-1]) == [1, "Hardest to get; more applicants than ever"]
    steps, lp = tables.load_table("learning_path_steps"), tables.load_table("learning_paths")
    fig = article_figures.path_timeline_figure(transforms.path_timeline(steps, lp), SOURCE)
    names = [t.name for t in fig.data]
    assert names == ["Shortest estimate", "Up to the longest estimate",
                     "Ongoing (no end)", "Focus throughout"]
    # each timed step is drawn as its own stated range: fundamentals 3 to 4 months, not 3 to 10
    ranges = _trace(fig, "Up to the longest estimate")
    fundamentals = list(ranges.y).index("Path 1 · Learn AI/ML fundamentals")
    assert (ranges.base[fundamentals], ranges.base[fundamentals] + ranges.x[fundamentals]) \
        == (3, 4)
    assert ranges.text[fundamentals] == "3–4 months"
    assert "rank 1 the most competitive" in article_figures.entry_figure(
        ranking, SOURCE).layout.title.text
    ongoing = _trace(fig, "Ongoing (no end)")
    assert set(ongoing.text) == {"ongoing →"}
    assert ongoing.marker.pattern.shape == "/"
    fastest = _trace(fig, "Shortest estimate")
    assert "Path 1 · Learn Python" in fastest.y
    first = transforms.time_to_first_role(steps, lp)
    fig = article_figures.first_role_figure(first, SOURCE)
    assert list(fig.data[0].base) == [1, 2, 6]
    assert "The non-technical path asks the shortest study: 1–2 months" in \
        fig.layout.title.text.replace("<br>", " ")


def test_overview_figures():
    roles = tables.load_table("roles")
    fig = article_figures.roles_map(roles, SOURCE)
    by_group = {t.name: dict(zip(t.y, t.x, strict=True)) for t in fig.data}
    assert list(by_group) == ["Core AI (7)", "AI-adjacent (6)", "AI-augmented (1)"]
    assert by_group["Core AI (7)"]["AI Agent Developer"] == "Technical"
    assert by_group["AI-adjacent (6)"]["AI Integration Specialist"] == "Not stated"
    assert sum(len(t.y) for t in fig.data) == 14  # every role on its own row
    assert fig.layout.title.text.startswith("14 roles named: 7 core AI, 6 AI-adjacent, "
                                            "1 AI-augmented")
    skills = tables.load_table("skills")
    fig = article_figures.skills_figure(skills, SOURCE)
    under = _trace(fig, "Under-appreciated")
    assert list(under.y) == [4, 0]
    first = transforms.time_to_first_role(tables.load_table("learning_path_steps"),
                                          tables.load_table("learning_paths"))
    fig = article_figures.shelf_life_figure(18, first, SOURCE)
    assert "at most 10 months" in fig.layout.title.text


def test_money_format():
    assert money_k(150_000) == "$150K"
    assert money_k(1_250_000) == "$1,250K"
