"""AI job market suite: curated article data, validated tables, charts and HTML reports."""

import sys

__version__ = "0.1.0"

# jsonschema loads rfc3987_syntax, an optional IRI format checker, whenever it is installed (it
# comes with JupyterLab's dependencies), and building its grammar takes 1.3-1.5 s. nbformat
# imports jsonschema, and plotly imports nbformat the first time a figure is shown, so every
# kernel paid that on its first chart (measured: the first display.show 1.75 s, the second
# 0.003 s), and every build worker on importing papermill. Nothing here, in nbformat or in
# plotly checks IRIs: with the module marked absent, jsonschema simply leaves that format out.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "absent"
