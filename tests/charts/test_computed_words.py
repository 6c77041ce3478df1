"""Chart titles and notes that state a count, a direction or a verdict are computed: each test
feeds data where the opposite holds and sees the words change."""

from __future__ import annotations

import pandas as pd
import pytest

from aijobs.charts import survey_figures

SOURCE = "Source: test."


def _audit(verdicts):
    return pd.DataFrame({"kind": ["pay band"] * len(verdicts), "verdict": verdicts})


@pytest.mark.parametrize(("verdicts", "title", "sub"), [
    (["supported", "not supported", "not supported", "partly supported", "not supported",
      "borderline (supported / not supported)", "no data", "no data"],
     "1 of the 6 claims the postings can test is supported", "2 more claims with no data"),
    (["supported", "supported", "supported", "supported", "not supported", "not supported",
      "no data"],
     "4 of the 6 claims the postings can test are supported", "1 more claim with no data"),
    (["not supported", "not supported"],
     "None of the 2 claims the postings can test is supported", "0 more claims with no data"),
    (["supported", "supported", "supported"],
     "All 3 claims the postings can test are supported", "0 more claims"),
])
def test_verdict_title_counts_agree(verdicts, title, sub):
    text = survey_figures.verdict_figure(_audit(verdicts), SOURCE).layout.title.text
    assert text.startswith(title + "<br>")
    assert sub in text
