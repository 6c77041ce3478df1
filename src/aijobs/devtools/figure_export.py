"""Export every chart of the built reports as PNG and SVG, for slides and print.

The charts are read back from the report pages (each page embeds its figures' JSON), so the
export needs no kernel. Images are written through kaleido, which drives Debian's chromium;
the browser is started once for the whole export, not once per image.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from aijobs import paths
from aijobs.charts.figure_data import decoded_arrays
from aijobs.errors import BuildError

FORMATS = ("png", "svg")


def figures_in_page(page_html: str) -> list[dict]:
    """The data and layout of every plotly figure a report page draws, in page order."""
    decoder = json.JSONDecoder()
    found = []
    marker = "Plotly.newPlot("
    pos = page_html.find(marker)
    while pos != -1:
        start = page_html.index("[", page_html.index(",", pos))
        data, end = decoder.raw_decode(page_html, start)
        layout, end = decoder.raw_decode(page_html, page_html.index("{", end))
        found.append({"data": decoded_arrays(data), "layout": layout})
        pos = page_html.find(marker, end)
    return found


def export_figures(reports_dir: Path = paths.REPORTS_DIR, out_dir: Path | None = None,
                   formats: tuple[str, ...] = FORMATS, width: int = 1200) -> list[Path]:
    """Write <report>-<n>.<format> for every chart of every page in reports_dir."""
    import plotly.graph_objects as go
    import plotly.io as pio

    out_dir = Path(out_dir or reports_dir / "figures")
    pages = sorted(p for p in Path(reports_dir).glob("*.html") if p.name != "index.html")
    if not pages:
        raise BuildError(f"no report pages in {reports_dir}: run `make reports` first")
    figures, files = [], []
    for page in pages:
        for n, spec in enumerate(figures_in_page(page.read_text(encoding="utf-8")), start=1):
            fig = go.Figure(data=spec["data"], layout=spec["layout"])
            for fmt in formats:
                figures.append(fig)
                files.append(out_dir / f"{page.stem}-{n}.{fmt}")
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        # One call for all images: kaleido starts one browser and reuses it.
        pio.write_images(figures, files, width=[width] * len(files),
                         height=[int(f.layout.height or 500) for f in figures])
    except Exception as exc:
        raise BuildError(f"could not export images ({type(exc).__name__}: {exc}). kaleido needs "
                         "Chromium: apt-get install -y chromium") from exc
    return files


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    reports_dir = Path(args[0]) if args else paths.REPORTS_DIR
    out_dir = Path(args[1]) if len(args) > 1 else None
    start = time.perf_counter()
    try:
        files = export_figures(reports_dir, out_dir)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(files)} images written to {files[0].parent} in "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
