"""nbconvert's HTML exporter for the report pages, without the pass over the finished HTML that
no page needs (imported only by processes that render pages: nbconvert is a heavy import).

After rendering its template, `HTMLExporter.from_notebook_node` parses the whole HTML with
BeautifulSoup, gives `alt` text to images that have none, makes the input and output areas of
the JupyterLab template focusable (`.jp-Notebook div.jp-Cell-inputWrapper` and
`.jp-Notebook div.jp-OutputArea-output` get tabindex="0") and writes the HTML out again: over
half of the CPU a page costs to render (measured with cProfile). The pages use nbconvert's
"basic" template, which extends the classic one: it writes no `jp-Notebook`,
`jp-Cell-inputWrapper` or `jp-OutputArea-output`, so the two focusable-area selectors match
nothing; and a page whose HTML has an `<img>` is rendered by HTMLExporter itself, pass
included, so an image without alt text still gets nbconvert's. Otherwise the pass changed how
the HTML is written, not what it holds: it wrote attributes in alphabetical order, a run of
blank lines between tags as one line break, character references as the characters and a
class list without its stray spaces. A browser builds the same page from either (the tree as
BeautifulSoup reads it is the same: tests/reports/test_page_rendering.py).
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)


class ReportExporter(HTMLExporter):
    """HTMLExporter for the basic template that returns the template's HTML as it is written,
    unless it holds an image (see the module's docstring)."""

    def from_notebook_node(  # type: ignore[override]  # as HTMLExporter's own
            self, nb, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        # the two filters HTMLExporter.from_notebook_node registers before rendering: code
        # highlighted in the notebook's language, and the output format chosen by priority,
        # with a widget's view only where the notebook holds the widget's state (nbconvert
        # keys the notebook's metadata by its name; here there is one notebook)
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata={"notebook": nb.metadata}, parent=self,
            resources={"metadata": {"name": "notebook"}}))
        html, done = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if IMG_TAG.search(html):
            return super().from_notebook_node(nb, resources, **kw)
        return html, done
