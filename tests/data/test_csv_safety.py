"""Formula-safe CSVs (OWASP, CSV injection): every writer of the suite - the shared helper, the
charts' downloads, sweep.csv and the derived survey tables - neutralises each payload (a cell
starting with =, +, -, @, a tab or a carriage return) and writes signed numbers as numbers."""

from __future__ import annotations

import csv
import io

import nbformat
import pandas as pd
import plotly.graph_objects as go
import pytest

from aijobs import files
from aijobs.charts import figure_data
from aijobs.notebook import display
from aijobs.reports import render, sweep

PAYLOADS = ['=HYPERLINK("http://evil.example","click")', "+165% (×2.65); doubles",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            "'=already quoted"]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_neutral(cells: list[str]) -> None:
    for cell in cells:
        # what a spreadsheet would run: a cell that starts with a formula character
        assert not cell.startswith(files.FORMULA_STARTS) or files._PLAIN_NUMBER.fullmatch(cell), \
            repr(cell)


def test_the_shared_writer_neutralises_each_payload_and_keeps_numbers():
    frame = pd.DataFrame({"label": PAYLOADS, "value_usd": [-1234.5, 0.0, -0.05, 2, 3, 4, 5],
                          "n": range(-3, 4)})
    text = files.frame_csv_text(frame, {"value_usd": 1})
    rows = _cells(text)
    assert rows[0] == ["label", "value_usd", "n"]
    for row, payload in zip(rows[1:], PAYLOADS, strict=True):
        _assert_neutral(row)
        assert row[0] == "'" + payload  # shown as typed, one quote in front
        assert files.unescaped_cell(row[0]) == payload  # and read back exactly
    # signed numbers stay numbers (rounded as asked), not quoted text
    assert [r[1] for r in rows[1:4]] == ["-1234.5", "0", "-0.1"]
    assert [r[2] for r in rows[1:]] == ["-3", "-2", "-1", "0", "1", "2", "3"]
    # a text that is a plain signed number is harmless and stays as it is
    assert files.safe_cell("-5") == "-5" and files.safe_cell("+0.25") == "+0.25"
    assert files.safe_cell("-") == "'-" and files.safe_cell("'x") == "'x"


def test_chart_downloads_neutralise_payloads_from_tables_and_from_traces():
    tidy = pd.DataFrame({"role": PAYLOADS, "change_pct": [-12.345] * len(PAYLOADS)})
    attached = figure_data.attach_data(go.Figure(go.Bar(x=[1], y=[1])), "changes", tidy,
                                       {"change_pct": 1})
    # a chart without a table falls back to its points: trace names carry the payloads
    bare = go.Figure([go.Bar(name=p, x=[-1.5], y=["a"]) for p in PAYLOADS])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", data=display.figure_bundle(fig, f"f{i}"))
        for i, fig in enumerate((attached, bare))])]
    written, _ = render.collect_figures(nb, "demo")
    rows = _cells(written["demo--changes.csv"].decode())
    for row in rows:
        _assert_neutral(row)
    assert [r[1] for r in rows[1:]] == ["-12.3"] * len(PAYLOADS)
    fallback = _cells(written["demo--chart.csv"].decode())
    assert len(fallback) == len(PAYLOADS) + 1
    for row in fallback:
        _assert_neutral(row)
    assert {r[1] for r in fallback[1:]} == {"-1.5"}
    # the page's table under the chart shows the text as it was, escaped as HTML
    page = nb.cells[0].outputs[0]["data"]["text/html"]
    assert "<td>=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)</td>" in page \
        or "<td>=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)</td>" in page


def test_sweep_csv_neutralises_swept_values_and_keeps_key_figures_numbers():
    grid = {"scenario_title": PAYLOADS}
    rows = [{"page": f"p{i}.html", "built": True, "changed": {"scenario_title": p},
             "figures": [-1234.56789123]} for i, p in enumerate(PAYLOADS)]
    text = sweep.sweep_csv(grid, ["mid_usd.x"], rows)
    cells = _cells(text)
    assert cells[0] == ["page", "built", "scenario_title", "mid_usd.x"]
    for row, payload in zip(cells[1:], PAYLOADS, strict=True):
        _assert_neutral(row)
        assert files.unescaped_cell(row[2]) == payload
        assert row[3] == "-1234.567891"


def test_derived_tables_neutralise_payloads_and_read_back_as_written(tmp_path, monkeypatch):
    from aijobs.data import tables
    from aijobs.survey import evidence

    frame = pd.DataFrame({"job_title": PAYLOADS, "change": [-0.25] * len(PAYLOADS)})
    monkeypatch.setattr(evidence.survey, "read_survey", lambda path: object())
    monkeypatch.setattr(evidence, "evidence_tables",
                        lambda *a, **k: ({"survey_title_sensitivity": frame}, {}))
    monkeypatch.setattr(evidence, "sidecar", lambda name, provenance, date: {"title": name})
    # a one-table stand-in: only its header is checked before publishing, not its schema
    monkeypatch.setattr(evidence, "_refuse_out_of_scope", lambda *a: None)
    monkeypatch.setattr(evidence, "_set_check", lambda frames, out: evidence._header_check(frames))
    written = evidence.write_derived("any.csv", tmp_path, date="2025-01-19")
    text = (tmp_path / "survey_title_sensitivity.csv").read_bytes().decode()
    assert written[0].name == "survey_title_sensitivity.csv"
    cells = _cells(text)
    for row in cells:
        _assert_neutral(row)
    assert [r[1] for r in cells[1:]] == ["-0.25"] * len(PAYLOADS)
    # the suite's own reader gives back exactly what was written
    col = tables.ColumnSpec(name="job_title", type="string", description="d")
    for row, payload in zip(cells[1:], PAYLOADS, strict=True):
        assert tables._convert(col, row[0])[0] == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_is_neutral_through_csv_text(payload):
    row = _cells(files.csv_text(["a"], [[payload]]))[1]
    _assert_neutral(row)


def test_the_sources_derived_tables_neutralise_payloads(tmp_path, monkeypatch):
    from aijobs.sources import derived

    frame = pd.DataFrame({"occupation_title": PAYLOADS, "change_pct": [-1.5] * len(PAYLOADS)})
    monkeypatch.setattr(derived, "derive", lambda *a: ({"oews_occupations": frame},
                                                       {"oews_occupations": {}}))
    monkeypatch.setattr(derived, "sidecar", lambda name, provenance, when: {"title": name})
    # a one-table stand-in: only its header is checked before publishing, not its schema
    monkeypatch.setattr(derived, "_set_check", lambda frames, out: derived._header_check(frames))
    derived.write_derived("o", "i", tmp_path, date="2025-01-19")
    cells = _cells((tmp_path / "oews_occupations.csv").read_bytes().decode())
    for row, payload in zip(cells[1:], PAYLOADS, strict=True):
        _assert_neutral(row)
        assert files.unescaped_cell(row[0]) == payload and row[1] == "-1.5"
