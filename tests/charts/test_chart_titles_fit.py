"""A long headline is wrapped before it reaches a chart (charts.theme.finish_figure), and the
chart gains the room its extra lines take, so a desktop page never cuts it at the right edge
(the browser layout checks see the result; these tests pin the rule)."""

from __future__ import annotations

import plotly.graph_objects as go

from aijobs.charts.theme import (
    HEADLINE_CHARS,
    TITLE_LINE_PX,
    TOP_MARGIN_PX,
    finish_figure,
    headline_wrapped,
)

LONG = ("The postings' median is inside the article's band for 3 of the 4 roles, below it for 1 "
        "(its 95% interval reaches the band); 1 role has no reportable median")  # 150 characters


def test_a_long_headline_breaks_between_words_and_the_subtitle_is_left_alone():
    sub = "<sup>" + "a subtitle word " * 12 + "</sup>"
    text, added = headline_wrapped(f"{LONG}<br>{sub}")
    headline, _, rest = text.partition("<br><sup>")
    lines = headline.split("<br>")
    assert added == 1 and len(lines) == 2
    assert lines[0] == ("The postings' median is inside the article's band for 3 of the 4 roles, "
                        "below it for 1 (its 95%")
    assert " ".join(lines) == LONG  # nothing lost, nothing cut in a word
    assert all(len(line) <= HEADLINE_CHARS for line in lines)
    assert "<sup>" + rest == sub


def test_a_short_or_already_wrapped_headline_is_unchanged():
    for title in ("Pay rises<br><sup>sub</sup>", "A line of 90<br>and another<br><sup>s</sup>"):
        assert headline_wrapped(title) == (title, 0)


def test_the_chart_grows_by_each_added_line():
    short = finish_figure(go.Figure(), "Short<br><sup>s</sup>", "Source", height=400)
    # 50 four-letter words: 20 to a line of at most 100 characters (99), so 3 lines
    long = finish_figure(go.Figure(), " ".join(["word"] * 50), "Source", height=400)
    assert short.layout.height == 400 and short.layout.margin.t in (None, TOP_MARGIN_PX)
    assert long.layout.title.text.count("<br>") == 2
    assert long.layout.height == 400 + 2 * TITLE_LINE_PX
    assert long.layout.margin.t == TOP_MARGIN_PX + 2 * TITLE_LINE_PX
