"""Parameter sweeps: one report built for every combination of the values given.

`aijobs sweep scenario_baseline -g normalization_rate 0.05,0.15,0.3 -g horizon_years 5,10`
builds 6 variants into reports/sweeps/scenario_baseline/. Each variant is a report like any
other: its page name comes from its parameters (so variants never overwrite each other or the
report's own page), it is cached in that folder's manifest, and it is rebuilt only when its
inputs change. The folder's index.html is the sweep's gallery and sweep.csv has one row per
variant: its parameters and the key figures its notebook records (reports.yaml, key_figures).

Every variant's parameters are checked before any runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from aijobs import paths, words
from aijobs.data.columns import column_values
from aijobs.errors import ParameterError
from aijobs.files import csv_text, frame_csv_text, write_atomic
from aijobs.reports import build, settings_text
from aijobs.reports.cache import read_manifest
from aijobs.reports.config import ReportSpec, load_report_specs, select_specs, shown_path
from aijobs.reports.parameters import notebook_parameters, validated_parameters
from aijobs.reports.render import data_sidecar, ensure_plotly_js, figcaption_html, rendered

SWEEPS_DIR_NAME = "sweeps"
CSV_NAME = "sweep.csv"
MAX_VARIANTS = 10_000
MAX_SLUG = 40  # characters of one value in a page name; longer values are hashed


@dataclass(frozen=True)
class Variant:
    spec: ReportSpec  # named from its parameters, with them merged in
    changed: dict[str, Any]  # the swept parameters' values (checked and typed)
    texts: dict[str, str]  # the same values as given on the command line


def split_values(name: str, text: str) -> list[str]:
    """'0.05,0.1' -> ['0.05', '0.1']; commas inside [], {} or quotes stay (JSON values)."""
    values: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    if depth or quote:
        raise ParameterError(f"sweep -g {name}: unbalanced brackets or quotes in {text!r}")
    if any(v == "" for v in values):
        raise ParameterError(f"sweep -g {name}: an empty value in {text!r}; expected values "
                             "separated by commas, e.g. -g normalization_rate 0.05,0.15,0.3")
    return values


def parse_grid(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """-g NAME VALUES pairs as {name: [value text, ...]}, in the order given."""
    if not pairs:
        raise ParameterError("sweep: give at least one -g NAME VALUES, e.g. "
                             "-g normalization_rate 0.05,0.15,0.3")
    grid: dict[str, list[str]] = {}
    for name, text in pairs:
        if name in grid:
            raise ParameterError(f"sweep -g {name}: given twice; list all its values in one -g")
        values = split_values(name, text)
        if len(set(values)) != len(values):
            raise ParameterError(f"sweep -g {name}: a value is repeated in {text!r}")
        grid[name] = values
    return grid


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-._")
    if not slug or len(slug) > MAX_SLUG:
        return "h" + hashlib.sha256(text.encode()).hexdigest()[:10]
    return slug


def variant_name(base: str, texts: dict[str, str]) -> str:
    """The page name of one variant: the report's name, then name-value for each swept
    parameter, e.g. scenario_baseline--normalization_rate-0.05--horizon_years-5."""
    return "--".join([base, *(f"{k}-{_slug(v)}" for k, v in texts.items())])


def sweep_variants(spec: ReportSpec, grid: dict[str, list[str]]) -> list[Variant]:
    """Every combination of the grid as a variant of the report, all checked first: a bad
    value is one ParameterError naming the parameter and the value."""
    total = 1
    for values in grid.values():
        total *= len(values)
    if total > MAX_VARIANTS:
        raise ParameterError(f"sweep: {total:,} variants; at most {MAX_VARIANTS:,} in one sweep")
    checked: dict[str, dict[str, Any]] = {}
    for name, values in grid.items():
        checked[name] = {}
        for text in values:
            try:
                checked[name][text] = validated_parameters(
                    spec.notebook, {name: text}, from_text=True)[name]
            except ParameterError as exc:
                raise ParameterError(f"sweep -g {name}, value {text!r}: {exc}") from exc
    # A notebook that labels its charts with scenario_title gets one naming the variant, so no
    # variant's charts carry the name of the report it was swept from.
    labelled = "scenario_title" in notebook_parameters(spec.notebook) \
        and "scenario_title" not in grid
    variants, names = [], {}
    for combo in itertools.product(*grid.values()):
        texts = dict(zip(grid, combo, strict=True))
        changed = {k: checked[k][v] for k, v in texts.items()}
        settings = settings_words(texts, changed_values={k: checked[k][v]
                                                         for k, v in texts.items()})
        if labelled:
            changed = {"scenario_title": f"Sweep variant ({settings})",
                       "scenario_rationale": f"{spec.title}, with {settings}.", **changed}
        try:  # rules that tie parameters together (e.g. premium_source with the roles)
            merged = validated_parameters(spec.notebook, {**spec.parameters, **changed})
        except ParameterError as exc:
            shown = ", ".join(f"{k}={v}" for k, v in texts.items())
            raise ParameterError(f"sweep variant {shown}: {exc}") from exc
        name = variant_name(spec.name, texts)
        if name in names:  # two texts with one slug, e.g. "a b" and "a-b"
            digest = hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()
            name = f"{name}--{digest[:8]}"
        names[name] = texts
        title = f"{spec.title} ({settings})"
        summary = (f"A sweep variant of the report \u201c{spec.title}\u201d with {settings}; "
                   "every other setting as in that report.")
        variants.append(Variant(replace(spec, name=name, title=title, summary=summary,
                                        parameters=merged), changed, texts))
    return variants


def settings_words(texts: dict[str, str], changed_values: dict[str, Any]) -> str:
    """A variant's swept settings in a reader's words (templates/settings.yaml), e.g.
    'Years ahead: 3 years; Slowdown of growth: 50%'."""
    return "; ".join(f"{settings_text.label(k)}: {settings_text.value_text(k, changed_values[k])}"
                     for k in texts)


def sweep_chart(spec: ReportSpec, grid: dict[str, list[str]], figure_names: list[str],
                rows: list[dict], names: dict[str, str]) -> tuple[str, dict[str, bytes]]:
    """The gallery's chart comparing the variants' key figures (the first kind the report
    records, e.g. each role's midpoint in the horizon year as paid then), as page HTML, and its
    tidy data: <report>--sweep-key-figures.csv (one row per variant and role, the swept
    settings as columns) with its .meta.yaml sidecar. ("", {}) when no variant recorded any."""
    # deferred: plotly, pandas and IPython load only when a gallery draws its chart
    from aijobs.charts import sweep_figures  # deferred: see above
    from aijobs.charts.figure_data import attached_data, figure_alt_text  # deferred: see above
    from aijobs.charts.theme import safe_figure_dict  # deferred: see above
    from aijobs.notebook import display  # deferred: see above

    bases = sorted({n.partition(".")[0] for n in figure_names})
    if not bases:
        return "", {}
    base = bases[0]
    records = []
    for row in rows:
        if not row["built"]:
            continue
        label = settings_words(row["texts"], row["changed"])
        for name, value in zip(figure_names, row["figures"], strict=True):
            if value is None or name.partition(".")[0] != base:
                continue
            item = name.partition(".")[2]
            records.append({"variant": label, "page": row["page"],
                            **{k: row["texts"][k] for k in grid},
                            "role": names.get(item, item.replace("_", " ")) if item else "all",
                            base: float(value)})
    if not records:
        return "", {}
    import pandas as pd  # deferred: pandas is for the chart only

    table = pd.DataFrame(records)
    what = words.lower_first(figure_label(base))
    source = (f"Source: the key figures of each variant of the report “{spec.title}” "
              f"(sweep.csv), as built.")
    fig = sweep_figures.sweep_figure(table, base, what, source)
    stem = f"{spec.name}--sweep-key-figures"
    data = attached_data(fig)
    assert data is not None  # sweep_figure attaches its table
    about = {"chart": figure_alt_text(safe_figure_dict(fig)), "source": source,
             "notes": data.notes, "rows": len(data.frame),
             "columns": [str(c) for c in data.frame.columns], "decimal places": data.digits}
    csv_text = frame_csv_text(data.frame, data.digits)
    files = {f"{stem}.csv": csv_text.encode("utf-8"),
             f"{stem}.meta.yaml": data_sidecar("index", stem, about, None).encode("utf-8")}
    # under the chart, as on the report pages: links to its data and the data as a table
    chart = display.figure_html(fig, "sweep-chart")
    caption = figcaption_html("index", stem, csv_text, folder="",
                              headings={base: figure_label(base)})
    return chart[:chart.rindex("</figure>")] + caption + "</figure>", files


def sweep_dir(reports_dir: Path, name: str) -> Path:
    return Path(reports_dir) / SWEEPS_DIR_NAME / name


def run_sweep(name: str, pairs: list[tuple[str, str]], *,
              reports_dir: Path = paths.REPORTS_DIR, jobs: int | None = None,
              force: bool = False, executor: str = "local", scheduler: str | None = None,
              config: Path = paths.REPORTS_CONFIG, dry_run: bool = False,
              scheduler_timeout: float = build.DEFAULT_SCHEDULER_TIMEOUT,
              echo=print) -> tuple[list[build.BuildResult], Path]:
    """Build every variant of report `name` over the grid `pairs` (-g NAME VALUES), then its
    gallery (index.html) and sweep.csv. Returns the results and the sweep's folder."""
    spec, = select_specs(load_report_specs(config), [name])
    grid = parse_grid(pairs)
    variants = sweep_variants(spec, grid)
    out = sweep_dir(reports_dir, name)
    results = build.build_reports(reports_dir=out, specs=[v.spec for v in variants],
                                  jobs=jobs, force=force, dry_run=dry_run, index=False,
                                  executor=executor, scheduler=scheduler,
                                  scheduler_timeout=scheduler_timeout, echo=echo)
    if not dry_run:
        write_gallery(spec, grid, variants, out)
    return results, out


def sweep_rows(variants: list[Variant], manifest: dict[str, Any]) -> tuple[list[str],
                                                                           list[dict]]:
    """(key figure names, one row per variant: page, status, parameters, key figures)."""
    figure_names = sorted({k for v in variants
                           for k in manifest.get(v.spec.name, {}).get("key_figures", {})})
    rows = []
    for v in variants:
        entry = manifest.get(v.spec.name) or {}
        built = bool(entry) and entry.get("parameters") == _jsonable(v.spec.parameters)
        figures = entry.get("key_figures", {}) if built else {}
        rows.append({"page": f"{v.spec.name}.html", "built": built, "texts": v.texts,
                     "changed": v.changed, "headline": entry.get("headline", "") if built else "",
                     "figures": [figures.get(k) for k in figure_names]})
    return figure_names, rows


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def sweep_csv(grid: dict[str, list[str]], figure_names: list[str], rows: list[dict]) -> str:
    """sweep.csv: page, then each swept parameter (as checked), then each key figure (rounded
    to 6 places); formula-safe (files.csv_text), numbers as numbers."""
    out = []
    for row in rows:
        params = [json.dumps(row["changed"][k]) if isinstance(row["changed"][k], (list, dict))
                  else row["changed"][k] for k in grid]
        out.append([row["page"], "yes" if row["built"] else "no", *params,
                    *(None if f is None else float(f) for f in row["figures"])])
    return csv_text(["page", "built", *grid, *figure_names], out,
                    {name: 6 for name in figure_names})


def write_gallery(spec: ReportSpec, grid: dict[str, list[str]], variants: list[Variant],
                  out: Path) -> Path:
    """The sweep's folder index.html (a card per variant with its settings, finding and key
    figures) and sweep.csv, from the folder's manifest."""
    manifest = read_manifest(out)
    figure_names, rows = sweep_rows(variants, manifest)
    names = role_names()
    write_atomic(out / CSV_NAME, sweep_csv(grid, figure_names, rows))
    chart, chart_files = sweep_chart(spec, grid, figure_names, rows, names)
    for file_name, content in chart_files.items():
        write_atomic(out / file_name, content)
    if chart:
        ensure_plotly_js(out)
    shown = [{"page": r["page"], "built": r["built"], "headline": r["headline"],
              "settings": [(settings_text.label(k), settings_text.value_text(k, r["changed"][k]))
                           for k in grid],
              "figures": [(figure_label(n, names), _figure_text(n, f))
                          for n, f in zip(figure_names, r["figures"], strict=True)
                          if f is not None]} for r in rows]
    dates = sorted({manifest[v.spec.name].get("built", "") for v in variants
                    if v.spec.name in manifest})
    page = rendered("sweep.html.j2", title=f"Sweep: {spec.title}", report=spec,
                    grid=[(k, ", ".join(v)) for k, v in grid.items()], rows=shown,
                    n_built=sum(r["built"] for r in rows), key_figures=spec.key_figures,
                    csv_name=CSV_NAME, notebook=shown_path(spec.notebook),
                    chart=Markup(chart),
                    grid_labels=[settings_text.label(k) for k in grid],
                    built=dates[-1] if dates else "")
    target = out / "index.html"
    write_atomic(target, page)
    return target


# Words for the parts of a key figure's name (lower-case words joined by "_", then ".<id>").
FIGURE_WORDS = {"mid": "midpoint", "usd": "USD", "pct": "percent", "nominal": "as paid then",
                "real": "in today's money", "horizon": "in the horizon year",
                "adjusted": "adjusted", "midpoint": "midpoint", "demand": "demand",
                "multiple": "multiple", "at": "", "of": "of"}


def figure_label(name: str, role_names: dict[str, str] | None = None) -> str:
    """A key figure's name in a reader's words: 'horizon_mid_usd_nominal.ai_ml_engineer' is
    'AI/ML Engineer: midpoint in the horizon year, USD, as paid then'."""
    base, _, item = name.partition(".")
    words = [FIGURE_WORDS.get(w, w) for w in base.split("_")]
    order = [w for w in words if w]
    if order[:1] == ["in the horizon year"] and len(order) > 1:  # 'horizon_mid': the midpoint
        order[0], order[1] = order[1], order[0]                   # in the horizon year
    text = " ".join(order).replace(" USD", ", USD").replace(" as paid then", ", as paid then") \
        .replace(" in today's money", ", in today's money")
    text = text[:1].upper() + text[1:] if not item else text
    if not item:
        return text
    who = (role_names or {}).get(item, item.replace("_", " "))
    return f"{who}: {text}"


def role_names() -> dict[str, str]:
    """Role id -> name from data/roles.csv (empty when it cannot be read)."""
    ids, names = column_values("roles", "role_id"), column_values("roles", "role_name")
    return dict(zip(ids, names, strict=True)) if ids and names and len(ids) == len(names) \
        else {}


def _figure_text(name: str, value: float) -> str:
    if "_usd" in name:
        return f"${value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"

