"""Built pages opened in headless Chromium (network off) as on a phone, 390 px wide: each page
once, and the checks test_browser.py makes on a desktop (see there) read that one opening."""

from __future__ import annotations

import pytest
from page_views import PAGES, check_charts_drawn, check_fit, check_gallery, check_offline

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
