"""A chart's data columns as a page's table heads them: a reader's words with the unit, never
the CSV's names (issue 26)."""

from __future__ import annotations

import re

import pytest

from aijobs.reports import column_words, render
from aijobs.reports.column_words import column_heading

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.mark.parametrize(("name", "heading"), [
    # written for the column
    ("entry_route", "Way in"),
    ("months_min", "Shortest (months)"),
    ("band_low_usd_per_year", "Band low (USD a year)"),
    ("premium_ci95_high_share", "Premium, 95% interval high (0.25 = 25%)"),
    # percentiles, of the postings or of the draws, and their BLS status
    ("p10_usd", "10th percentile (USD a year)"),
    ("p25_usd_per_year", "25th percentile (USD a year)"),
    ("p90_draws_usd_per_year", "90th percentile of the draws (USD a year)"),
    ("p50_status", "Median: status"),
    # a slider's or a sweep's column is a setting: its label, and its unit
    ("normalization_rate", "Premium lost each year (0.25 = 25%)"),
    ("horizon_years", "Years ahead (years)"),
    # anything else: its words, the unit read from its ending
    ("hours_worked_pct", "Hours worked (%)"),
    ("bonus_usd_per_year", "Bonus (USD a year)"),
    ("series", "Series"),
])
def test_a_column_reads_as_a_reader_names_it(name, heading):
    assert column_heading(name) == heading


def test_no_column_the_charts_name_keeps_a_name_with_underscores():
    for name in [*column_words.HEADINGS, "a_b_c_share", "x_", "_y", "p99_draws_status"]:
        assert not SNAKE.search(column_heading(name)), name


def test_a_table_leaves_out_an_id_whose_name_is_beside_it():
    assert column_words.shown_columns(["role", "role_id", "year"]) == [0, 2]
    assert column_words.shown_columns(["role_id", "year"]) == [0, 1]  # the id is all there is
    assert column_words.shown_columns(["scenario", "scenario_title", "role_id",
                                       "role_name"]) == [1, 3]


def test_the_caption_s_table_heads_its_columns_in_words():
    caption = render.figcaption_html("demo", "demo--steps",
                                     "path_number,role_id,role,months_min\n1,a_b,A B,2.5\n")
    assert ("<th>Path number</th><th>Role</th><th>Shortest (months)</th>") in caption
    assert "<td>1</td><td>A B</td><td>2.5</td>" in caption
    assert "a_b" not in caption  # the id column stays in the CSV only


def test_the_heading_check_finds_a_column_name_and_passes_words():
    from page_views import snake_case_headings, table_headings

    page = ("<table><thead><tr><th>Way in</th><th scope='col'>months_min</th></tr></thead>"
            "<tbody><tr><th>rank_1</th><td>entry_route</td></tr></tbody></table>"
            "<script>var t = '<th>role_id</th>';</script><p>role_id</p>")
    assert table_headings(page) == ["Way in", "months_min", "rank_1"]
    assert snake_case_headings(page) == ["months_min", "rank_1"]
    assert snake_case_headings(render.figcaption_html(
        "demo", "demo--x", "entry_route,months_min\na,1\n")) == []


def test_a_caption_beside_its_page_links_its_files_there_and_takes_headings_given():
    """The sweep gallery's chart: its CSV sits beside the gallery, and the sweep names its key
    figure's column better than the column's name can."""
    caption = render.figcaption_html("index", "s--key", "variant,mid_usd\nA,1\n", folder="",
                                     headings={"mid_usd": "Midpoint in year 5, USD"})
    assert '<a href="s--key.csv" download>' in caption and 'href="s--key.meta.yaml"' in caption
    assert "<th>Variant</th><th>Midpoint in year 5, USD</th>" in caption
    assert 'href="demo_data/demo--x.csv"' in render.figcaption_html("demo", "demo--x", "a\n1\n")
