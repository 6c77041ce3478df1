"""Built pages opened in headless Chromium (network off) as on a phone, 390 px wide: each page
once, and the checks test_browser.py makes on a desktop (see there) read that one opening; a
salary typed into the survey page's box, in the tab that opening left open."""

from __future__ import annotations

import pytest
from page_views import (
    PAGES,
    check_charts_drawn,
    check_fit,
    check_gallery,
    check_offline,
    choose,
    evidence_row,
    type_salary,
)

from aijobs.devtools.browser import LAYOUT_JS

pytestmark = pytest.mark.browser
WIDTH = 390  # the pages' width in `views` (conftest.py)


@pytest.mark.parametrize("name", PAGES)
def test_pages_fit_phones_with_alt_text_and_no_cloud_button(views, name):
    check_fit(views[name], name, WIDTH)


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_is_drawn_offline_on_a_phone(built_reports, views, name):
    check_charts_drawn(built_reports, views[name], name, WIDTH)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_asks_the_network_for_anything_on_a_phone(views, name):
    check_offline(views[name], name, WIDTH)


def test_the_sweep_gallery_fits_a_phone_and_draws_its_chart_offline(built_sweep, chromium):
    check_gallery(chromium, built_sweep, WIDTH)


def test_a_typed_salary_is_placed_among_the_slice_and_bad_input_gets_one_line(page_tabs):
    ai = evidence_row("ai_ml_engineer")
    tab = page_tabs["survey_evidence"]  # as `views` opened it (no other test uses its tab)
    # the median itself: at least half the adverts' midpoints lie at or below it, and the
    # 60th percentile is above it
    median = type_salary(tab, f"{ai['p50_usd']:,.0f}")
    assert median["answer"].startswith(
        f"${ai['p50_usd']:,.0f} a year lies between the 50th and 60th percentiles: between "
        f"about 50% and 60% of the advertised midpoints of the {ai['n_adverts']:,} distinct "
        "adverts for AI/ML Engineer, all levels, United States, all years are lower.")
    assert "not what people earn" in median["answer"]
    assert median["hash"].endswith(f"&salary={round(ai['p50_usd'])}")
    top = type_salary(tab, "$900k")
    assert top["answer"].startswith("$900,000 a year is at or above the 90th percentile")
    low = type_salary(tab, "20000")
    assert low["answer"].startswith("$20,000 a year is below the 10th percentile")
    # the chart marks the salary
    assert "your $20,000" in tab.evaluate("document.querySelector('.aijobs-slices svg')"
                                          ".textContent")
    for typed, says in (("", ""),
                        ("lots", "That is not a number: type an annual salary in US dollars"),
                        ("-5000", "A salary must be more than $0 a year."),
                        ("0", "A salary must be more than $0 a year."),
                        ("1e12", "That is not a number"),
                        ("999999999999", "$999,999,999,999 a year is outside the pay this "
                                         "page counts ($10,000 to $5,000,000 a year)."),
                        ("<b>150000</b>", "That is not a number")):
        state = type_salary(tab, typed)
        assert state["answer"].startswith(says), typed
        assert "NaN" not in state["answer"] and "\n" not in state["answer"]
    # a slice too small to report cannot place a salary, and says why
    choose(tab, "level", "EX")
    state = type_salary(tab, "150000")
    assert state["answer"].startswith("Cannot place $150,000: AI/ML Engineer, executive, "
                                      "United States, all years is too small to report")
    assert tab.evaluate(LAYOUT_JS)["bad"] == []
