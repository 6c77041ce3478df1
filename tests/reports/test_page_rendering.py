"""How a report page and its sidecars are written: the exporter that skips nbconvert's
BeautifulSoup pass writes the same HTML tree, and libyaml writes the same sidecar bytes as
PyYAML's own emitter."""

from __future__ import annotations

import base64

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter

from aijobs.reports import render
from aijobs.reports.page_exporter import ReportExporter

v4 = nbformat.v4

OPTIONS = {"template_name": "basic", "exclude_input": True, "exclude_input_prompt": True,
           "exclude_output_prompt": True}


def _page_notebook(*outputs):
    return v4.new_notebook(cells=[
        v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
        v4.new_markdown_cell("## The role's pay\n\nSome *text* & a [link](#x).\n\n"
                             "| a | b |\n|---|---|\n| 1 | 2 |\n"),
        v4.new_code_cell("x", outputs=list(outputs))])


def test_the_report_exporter_writes_the_tree_html_exporter_writes():
    """Without the BeautifulSoup pass the HTML differs only as BeautifulSoup writes it out
    again (attributes sorted, blank runs between tags made one line, entities as characters):
    parsed and written by BeautifulSoup, it is nbconvert's page to the byte. nbconvert's
    basic template gives nothing the pass would make focusable (no tabindex in its page)."""
    nb = _page_notebook(
        v4.new_output("display_data", data={
            "text/html": '<figure class="aijobs-figure b a "><div role="img" id="w" '
                         'aria-label="The role&#x27;s pay">\n\n\n<p>x</p></div></figure>'
                         '<pre>  two\n\n  lines  </pre>',
            "text/plain": "<Figure>"}),
        v4.new_output("stream", name="stdout", text="printed < 3\n"))
    theirs, _ = HTMLExporter(**OPTIONS).from_notebook_node(nb)
    ours, _ = ReportExporter(**OPTIONS).from_notebook_node(nb)
    assert ours != theirs  # the pass is skipped...
    assert 'class="aijobs-figure b a "><div role="img" id="w"' in ours
    assert str(BeautifulSoup(ours, features="html.parser")) == theirs  # ...and nothing else
    assert "tabindex" not in theirs and "jp-Notebook" not in theirs
    assert "The role's pay" in theirs and "printed &lt; 3" in theirs


def test_a_page_with_an_image_gets_nbconvert_s_alt_text():
    """An image without alt text (none of today's pages has one) is given nbconvert's, by
    HTMLExporter's own pass: the page is HTMLExporter's to the byte."""
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    nb = _page_notebook(v4.new_output("display_data", data={"image/png": png,
                                                            "text/plain": "<Figure>"}))
    theirs, _ = HTMLExporter(**OPTIONS).from_notebook_node(nb)
    ours, _ = ReportExporter(**OPTIONS).from_notebook_node(nb)
    assert ours == theirs
    assert 'alt="No description has been provided for this image"' in ours


SIDECAR = {"file": "demo--pay.csv", "page": "demo.html",
           "chart": "Pay bands: the article's against the survey's — $120K–$180K",
           "rows": 2, "share": 0.5, "open top": True, "date": None,
           "notes": ["yes", "One row a role; the interval respects repeated adverts of the same "
                     "job, so it is wider than a naive one."],
           "settings": {"Countries": "US, CA", "Lowest plausible yearly pay": "none"}}

# worked by hand: quoted where the text holds ": " (single quotes, an apostrophe doubled) or
# would read as a boolean ("yes"); the dash and en dashes as they are; a line folded at the
# last space before column 100; keys in their order
SIDECAR_YAML = "".join(line + "\n" for line in [
    "file: demo--pay.csv",
    "page: demo.html",
    "chart: 'Pay bands: the article''s against the survey''s — $120K–$180K'",
    "rows: 2",
    "share: 0.5",
    "open top: true",
    "date: null",
    "notes:",
    "- 'yes'",
    "- One row a role; the interval respects repeated adverts of the same job, so it is wider"
    " than a naive",
    "  one.",
    "settings:",
    "  Countries: US, CA",
    "  Lowest plausible yearly pay: none"])


def test_a_sidecar_reads_the_same_with_libyaml_or_without():
    assert render.sidecar_yaml(SIDECAR, None) == SIDECAR_YAML  # PyYAML's own emitter
    assert render.sidecar_yaml(SIDECAR) == SIDECAR_YAML  # libyaml's, where PyYAML has it
    if render.FAST_DUMPER is not None:
        assert render.sidecar_yaml(SIDECAR, render.FAST_DUMPER) == SIDECAR_YAML


@pytest.mark.skipif(render.FAST_DUMPER is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", [
    'a note quoted "twice" on two lines, long enough to be folded where it passes the width of \n'
    "and the second",
    "a note ending with an emoji \U0001F4C8 and: a colon"])
def test_text_libyaml_writes_otherwise_goes_to_pyyaml_s_emitter(text):
    """Text with a line break or a character beyond U+FFFF, which libyaml folds or escapes
    otherwise than PyYAML, is written by PyYAML's emitter even where libyaml is there."""
    value = {"notes": [text]}
    pure = yaml.dump(value, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True,
                     width=100)
    assert yaml.dump(value, Dumper=render.FAST_DUMPER, sort_keys=False, allow_unicode=True,
                     width=100) != pure
    assert not render.same_in_both_emitters(value)
    assert render.sidecar_yaml(value) == pure and yaml.safe_load(pure) == value
