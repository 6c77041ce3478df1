"""Export every chart of the built reports as PNG and SVG, for slides and print.

The charts are read from the built pages themselves (each Plotly.newPlot call's data and
layout), so the export needs no kernel and never rebuilds a page.
Images are written through kaleido, which drives Debian's chromium; the browser is started
once for the whole export, not once per image.
"""

from __future__ import annotations

import json
import re
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


def exportable(spec: dict) -> dict:
    """A page's figure made fit for a still image: a slider chart keeps its starting position,
    says so in its subtitle, and loses the slider it can no longer move."""
    layout = dict(spec.get("layout") or {})
    sliders = layout.pop("sliders", None)
    layout.pop("updatemenus", None)
    if sliders:
        slider = sliders[0]
        steps = slider.get("steps") or []
        active = slider.get("active", 0) or 0
        label = steps[active].get("label", "") if 0 <= active < len(steps) else ""
        prefix = ((slider.get("currentvalue") or {}).get("prefix") or "").strip()
        title = dict(layout.get("title") or {})
        text = re.sub(r"^Drag the slider:\s*", "", str(title.get("text", "")))
        note = f"still image at the slider's starting position ({prefix} {label})"
        note = note.replace(" ()", "")
        if text.endswith("</sup>"):  # on the subtitle's line: no new line to make room for
            text = f"{text[:-len('</sup>')]}; {note}</sup>"
        else:
            text = f"{text}<br><sup>{note[:1].upper()}{note[1:]}</sup>"
        title["text"] = f"{text[:1].upper()}{text[1:]}"
        layout["title"] = title
    return {"data": spec.get("data") or [], "layout": layout}


def variant_marked(spec: dict, mark: str) -> dict:
    """A variant's figure with its mark ("Variant of <report>: <changed values>") on the
    subtitle's line, so an image taken out of the page still says what it is."""
    layout = dict(spec.get("layout") or {})
    title = dict(layout.get("title") or {})
    text = str(title.get("text", ""))
    if text.endswith("</sup>"):
        text = f"{text[:-len('</sup>')]}<br>{mark}</sup>"
    else:
        text = f"{text}<br><sup>{mark}</sup>"
    title["text"] = text
    layout["title"] = title
    layout["margin"] = {**(layout.get("margin") or {}),
                        "t": max(int((layout.get("margin") or {}).get("t", 0) or 0), 130)}
    return {"data": spec.get("data") or [], "layout": layout}


def variant_pages(reports_dir: Path) -> dict[Path, str]:
    """{page: mark} for every variant page in reports_dir/variants (reports.variants)."""
    import html

    from aijobs.reports.variants import RECORD_NAME, variants_dir

    folder = variants_dir(reports_dir)
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = {}
    for name, entry in sorted(record.items()):
        page = folder / f"{name}.html"
        if page.exists():
            changes = "; ".join(f"{c.get('label', c['name'])}: {c['value']}"
                                for c in entry.get("changes", []))
            pages[page] = html.escape(f"Variant of {entry.get('base', '')}: {changes}")
    return pages


def export_figures(reports_dir: Path = paths.REPORTS_DIR, out_dir: Path | None = None,
                   formats: tuple[str, ...] = FORMATS, width: int = 1200,
                   names: list[str] | None = None) -> list[Path]:
    """Write <report>-<n>.<format> for every chart of every built page (or of the reports
    named), from the figures the build wrote beside the pages. Nothing is rebuilt: a page that
    is missing or out of date (its notebook, data or code changed since it was built) is an
    error naming it."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from aijobs.reports.build import page_states  # deferred: the CLI of the build

    reports_dir = Path(reports_dir)
    out_dir = Path(out_dir or reports_dir / "figures")
    states = page_states(reports_dir)
    if names:
        unknown = [n for n in names if n not in states]
        if unknown:
            raise BuildError(f"no report named {', '.join(unknown)} in reports.yaml: choose "
                             f"from {', '.join(states)}; nothing was exported")
        states = {name: states[name] for name in dict.fromkeys(names)}
    stale = [f"{name} is {state}" for name, state in states.items() if state != "up to date"]
    if stale:
        raise BuildError(f"{'; '.join(stale)} in {reports_dir}: build them first (make reports, "
                         "or make report NAME=... with your own parameters); nothing was "
                         "exported")
    figures, files = [], []
    pages = [(reports_dir / f"{name}.html", out_dir / name, "") for name in states]
    if not names:  # variants (reports/variants/) too, each image marked as one
        pages += [(page, out_dir / "variants" / page.stem, mark)
                  for page, mark in variant_pages(reports_dir).items()]
    for page_path, stem, mark in pages:
        page = page_path.read_text(encoding="utf-8")
        for n, found in enumerate(figures_in_page(page), start=1):
            spec = exportable(found)
            spec = variant_marked(spec, mark) if mark else spec
            fig = go.Figure(data=decoded_arrays(spec["data"]), layout=spec["layout"])
            for fmt in formats:
                figures.append(fig)
                files.append(stem.parent / f"{stem.name}-{n}.{fmt}")
    for folder in {f.parent for f in files} | {out_dir}:
        folder.mkdir(parents=True, exist_ok=True)
    try:
        # One call for all images: kaleido starts one browser and reuses it.
        pio.write_images(figures, files, width=[width] * len(files),
                         height=[int(f.layout.height or 500) for f in figures])
    except Exception as exc:
        raise BuildError(f"could not export images ({type(exc).__name__}: {exc}). kaleido needs "
                         "Chromium: apt-get install -y chromium") from exc
    return files


def main(argv: list[str] | None = None) -> int:
    """`python -m aijobs.devtools.figure_export [REPORTS_DIR [OUT_DIR [NAME ...]]]`."""
    args = argv if argv is not None else sys.argv[1:]
    reports_dir = Path(args[0]) if args else paths.REPORTS_DIR
    out_dir = Path(args[1]) if len(args) > 1 else None
    start = time.perf_counter()
    try:
        files = export_figures(reports_dir, out_dir, names=args[2:] or None)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(files)} images written to {files[0].parent} in "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
