"""The sweep gallery's chart: its title names the variants with the highest and the lowest
average key figure, from the values; its data is one row per variant and role."""

from __future__ import annotations

import pandas as pd

from aijobs.charts import sweep_figures
from aijobs.charts.figure_data import attached_data


def _table(a_values, b_values):
    return pd.DataFrame({"variant": ["Rate: 5%"] * 2 + ["Rate: 30%"] * 2,
                         "role": ["X", "Y"] * 2,
                         "mid_usd": [*a_values, *b_values]})


def test_the_title_names_the_highest_and_lowest_variant_from_the_values():
    table = _table([200_000.0, 180_000.0], [150_000.0, 130_000.0])
    assert sweep_figures.sweep_title(table, "mid_usd", "midpoint, USD", True) == (
        "Average midpoint is highest with Rate: 5% ($190,000) and lowest with Rate: 30% "
        "($140,000)")
    flipped = _table([150_000.0, 130_000.0], [200_000.0, 180_000.0])
    assert sweep_figures.sweep_title(flipped, "mid_usd", "midpoint, USD", True) == (
        "Average midpoint is highest with Rate: 30% ($190,000) and lowest with Rate: 5% "
        "($140,000)")
    same = _table([1.5, 2.5], [2.5, 1.5])
    assert sweep_figures.sweep_title(same, "mid_usd", "multiple", False) == (
        "Every variant gives the same average multiple: 2")


def test_the_chart_draws_a_dot_per_variant_and_role_and_keeps_its_tidy_table():
    table = _table([200_000.0, 180_000.0], [150_000.0, 130_000.0])
    fig = sweep_figures.sweep_figure(table, "mid_usd", "midpoint, USD", "Source: test.")
    assert [t.name for t in fig.data] == ["X", "Y"]
    assert list(fig.data[0].x) == [200_000.0, 150_000.0]
    data = attached_data(fig)
    assert data.what == "key-figures" and data.digits == {"mid_usd": 0}
    assert list(data.frame.columns) == ["variant", "role", "mid_usd"] and len(data.frame) == 4
