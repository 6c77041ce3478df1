"""Sweeps: the grid, the variants' names and checks, and a real 6-variant sweep built locally
and on a dask LocalCluster, with its gallery and CSV. Key figures are checked against values
worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SWEEP_GRID, sweep_command
from page_views import snake_case_headings

from aijobs import cli
from aijobs.errors import ParameterError
from aijobs.reports import sweep
from aijobs.reports.cache import MANIFEST_NAME
from aijobs.reports.config import load_report_specs

SPECS = {s.name: s for s in load_report_specs()}
GRID = SWEEP_GRID  # 2 x 3 = 6 variants


def test_values_split_on_top_level_commas_only():
    assert sweep.split_values("x", "0.05, 0.1,0.3") == ["0.05", "0.1", "0.3"]
    assert sweep.split_values("x", '["a","b"],[],["c"]') == ['["a","b"]', "[]", '["c"]']
    assert sweep.split_values("x", '{"w": [1, 2]},{}') == ['{"w": [1, 2]}', "{}"]
    assert sweep.split_values("x", "'a,b',c") == ["'a,b'", "c"]
    with pytest.raises(ParameterError, match="unbalanced"):
        sweep.split_values("x", "[1,2")
    with pytest.raises(ParameterError, match="an empty value"):
        sweep.split_values("x", "1,")


def test_key_figures_read_as_words():
    names = sweep.role_names()
    assert names["ai_ml_engineer"] == "AI/ML Engineer"
    assert sweep.figure_label("horizon_mid_usd_nominal.ai_ml_engineer", names) == \
        "AI/ML Engineer: midpoint in the horizon year, USD, as paid then"
    assert sweep.figure_label("horizon_mid_usd_real.mlops_engineer", names) == \
        "MLOps Engineer: midpoint in the horizon year, USD, in today's money"
    assert sweep.figure_label("adjusted_midpoint_usd.unknown_role", names) == \
        "unknown role: adjusted midpoint, USD"
    assert sweep.figure_label("mid_usd") == "Midpoint, USD"


def test_grid_rules():
    assert sweep.parse_grid([("horizon_years", "1,2,3"), ("growth_decay", "0,0.25,0.5,1")]) == {
        "horizon_years": ["1", "2", "3"], "growth_decay": ["0", "0.25", "0.5", "1"]}
    assert sweep.parse_grid(GRID) == {"horizon_years": ["1", "3"],
                                      "growth_decay": ["0", "0.5", "1"]}
    with pytest.raises(ParameterError, match="a value is repeated"):
        sweep.parse_grid([("horizon_years", "2,2")])
    assert cli.grid_from_text('-g roles ["a","b"],[] -g horizon_years 1,2') == [
        ("roles", '["a","b"],[]'), ("horizon_years", "1,2")]


def test_variant_names_come_from_the_parameters_and_never_collide():
    assert sweep.variant_name("scenario_baseline", {"normalization_rate": "0.05",
                                                     "premium_source": "pwc_2025"}) == \
        "scenario_baseline--normalization_rate-0.05--premium_source-pwc_2025"
    long = sweep.variant_name("r", {"roles": '["' + "x" * 60 + '"]'})
    assert long.startswith("r--roles-h") and len(long) < 30  # hashed, not 60 characters
    spec = SPECS["scenario_baseline"]
    variants = sweep.sweep_variants(spec, {"roles": ['["ai_ml_engineer"]',
                                                     '[ "ai_ml_engineer" ]']})
    names = [v.spec.name for v in variants]
    assert len(set(names)) == 2  # the same slug, told apart by a hash of the exact texts
    assert names[0] == "scenario_baseline--roles-ai_ml_engineer"
    assert names[1].startswith("scenario_baseline--roles-ai_ml_engineer--")


def test_every_variant_is_checked_and_typed_before_any_runs():
    spec = SPECS["growth_rates"]
    variants = sweep.sweep_variants(spec, sweep.parse_grid(GRID))
    assert len(variants) == 6
    first = variants[0]
    assert first.spec.name == "growth_rates--horizon_years-1--growth_decay-0"
    assert first.changed == {"horizon_years": 1, "growth_decay": 0.0}
    assert first.spec.parameters["horizon_years"] == 1
    assert first.spec.title == ("Fastest-growing AI roles (Years ahead: 1 year; Slowdown of "
                                "growth: 0%)")
    with pytest.raises(ParameterError, match=r"sweep -g growth_decay, value '2': "
                                             r".*expected a value from 0 to 1"):
        sweep.sweep_variants(spec, {"growth_decay": ["0.5", "2"]})
    # a rule between parameters: premium_source must cover the roles chosen
    with pytest.raises(ParameterError, match="sweep -g premium_source, value 'nope'"):
        sweep.sweep_variants(SPECS["scenario_baseline"], {"premium_source": ["nope"]})


def test_a_scenario_variant_is_labelled_as_a_variant():
    v, = sweep.sweep_variants(SPECS["scenario_baseline"], {"normalization_rate": ["0.3"]})
    assert v.spec.parameters["scenario_title"] == "Sweep variant (Premium lost each year: 30%)"
    assert v.spec.parameters["premium_source"] == "lightcast_2025"  # the rest is the scenario's


def _csv_rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "sweep.csv").read_text())))


@pytest.fixture(scope="module")
def local_sweep(built_sweep) -> Path:
    """The 6-variant sweep, built locally once per test run (conftest.built_sweep; the
    browser tests check its gallery's layout from the same build)."""
    return built_sweep


@pytest.mark.slow
def test_a_six_variant_sweep_builds_pages_gallery_and_csv(local_sweep):
    folder = local_sweep / "sweeps" / "growth_rates"
    pages = sorted(p.name for p in folder.glob("growth_rates--*.html"))
    assert len(pages) == 6
    assert not (local_sweep / "growth_rates.html").exists()  # the report's own page is apart
    rows = {(r["horizon_years"], r["growth_decay"]): r for r in _csv_rows(folder)}
    assert len(rows) == 6 and all(r["built"] == "yes" for r in rows.values())
    # Growth of 280%, 220% and 165% (data/growth_rates.csv) read as one-year rates:
    # no slowdown, 3 years: 3.8^3 = 54.872, 3.2^3 = 32.768, 2.65^3 = 18.609625
    r = rows[("3", "0.0")]
    assert float(r["demand_multiple_at_horizon.ai_agent_developer"]) == pytest.approx(54.872)
    assert float(r["demand_multiple_at_horizon.prompt_engineer"]) == pytest.approx(32.768)
    assert float(r["demand_multiple_at_horizon.ai_ethics_specialist"]) == \
        pytest.approx(18.609625)
    # halving each year, 3 years: (1 + 2.8) x (1 + 1.4) x (1 + 0.7) = 15.504
    assert float(rows[("3", "0.5")]["demand_multiple_at_horizon.ai_agent_developer"]) == \
        pytest.approx(15.504)
    # growth_decay 1 stops growth after the first year: 3.8 whatever the horizon
    assert [float(rows[(h, "1.0")]["demand_multiple_at_horizon.ai_agent_developer"])
            for h in "13"] == pytest.approx([3.8, 3.8])
    gallery = (folder / "index.html").read_text()
    for page in pages:
        assert f'href="{page}"' in gallery
    assert 'href="sweep.csv"' in gallery and "6 variants" in gallery
    assert "Years ahead: 3 years; Slowdown of growth: 50%" in gallery
    # a chart compares the variants' key figures, with its tidy data beside it: one row per
    # variant and role, the same values as sweep.csv
    assert 'id="sweep-chart"' in gallery and '<script src="plotly.min.js"' in gallery
    # under the chart, as on the report pages: its data to take away and as a table, headed in
    # a reader's words (the browser tests check the gallery's layout at 1400 and 390 px)
    assert ('<a href="growth_rates--sweep-key-figures.csv" download>Download data (CSV)</a>'
            in gallery)
    assert ("<th>Variant</th><th>Page</th><th>Years ahead (years)</th><th>Slowdown of growth "
            "(0.25 = 25%)</th><th>Role</th><th>Demand multiple in the horizon year</th>"
            in gallery)
    assert snake_case_headings(gallery) == []
    assert (folder / "plotly.min.js").is_file()
    tidy = list(csv.DictReader(io.StringIO(
        (folder / "growth_rates--sweep-key-figures.csv").read_text())))
    assert len(tidy) == 6 * 3
    one = next(t for t in tidy if t["horizon_years"] == "3" and t["growth_decay"] == "0"
               and t["role"] == "AI Agent Developer")
    assert float(one["demand_multiple_at_horizon"]) == pytest.approx(54.872)
    assert one["page"] == "growth_rates--horizon_years-3--growth_decay-0.html"
    # the highest average is 3 years without slowdown: (54.872 + 32.768 + 18.61) / 3
    from aijobs.devtools.figure_export import figures_in_page

    title = re.sub(r"<br>", " ", figures_in_page(gallery)[0]["layout"]["title"]["text"])
    assert title.startswith("Average demand multiple in the horizon year is highest with Years "
                            "ahead: 3 years; Slowdown of growth: 0% (35.4) and lowest with Years "
                            "ahead: 1 year")
    about = yaml.safe_load((folder / "growth_rates--sweep-key-figures.meta.yaml").read_text())
    assert about["columns"][-1] == "demand_multiple_at_horizon" and about["rows"] == 18
    # key figures in a reader's words, not internal keys
    assert "<td>AI Agent Developer: demand multiple in the horizon year</td>" in gallery
    assert "<td>demand_multiple_at_horizon" not in gallery  # (the header names the column)
    # a variant's page shows the setting it was built with
    page = (folder / "growth_rates--horizon_years-3--growth_decay-0.html").read_text()
    assert "horizon_years" in page and "x54.87" in page


@pytest.mark.slow
def test_a_second_run_finds_every_variant_up_to_date(local_sweep):
    result = sweep_command(local_sweep)
    assert result.returncode == 0, result.stderr
    assert "6 variants: 0 built, 6 up to date, 0 failed" in result.stdout


def _undated(path: Path) -> bytes:
    """A sweep file's bytes, the gallery's "last variant built YYYY-MM-DD" taken out: the dask
    run rebuilds four variants today, and the local sweep it is compared with may have been
    built on the day before (a test run across midnight)."""
    return re.sub(rb"last variant built \d{4}-\d{2}-\d{2}", b"last variant built <date>",
                  path.read_bytes())


@pytest.mark.slow
def test_the_same_sweep_on_a_dask_local_cluster_gives_identical_files(local_sweep, tmp_path):
    """The sweep run again on dask gives the same files. Four variants (1 and 3 years, growth
    slowing by 0 and 1) run on dask; the other two are copied from the local sweep with its
    build record and found up to date, so the gallery, sweep.csv and the chart's data, written
    afresh from the record, hold the dask runs' key figures beside the copied ones."""
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    local = local_sweep / "sweeps" / "growth_rates"
    remote = out / "sweeps" / "growth_rates"
    shutil.copytree(local, remote)
    on_dask = [f"growth_rates--horizon_years-{h}--growth_decay-{d}" for h in "13" for d in "01"]
    manifest = json.loads((remote / MANIFEST_NAME).read_text())
    assert set(on_dask) < set(manifest)
    for name in on_dask:
        for file in manifest[name]["files"]:
            (remote / file).unlink()
    for written in ("index.html", "sweep.csv", "growth_rates--sweep-key-figures.csv",
                    "growth_rates--sweep-key-figures.meta.yaml"):
        (remote / written).unlink()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        result = subprocess.run(
            [sys.executable, "-m", "aijobs.cli", "sweep", "growth_rates", "--output-dir",
             str(out), "--executor", "dask", "--scheduler", cluster.scheduler_address,
             *[a for name, values in GRID for a in ("-g", name, values)]],
            capture_output=True, text=True, cwd=ROOT, timeout=600,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        # each worker had warm kernels for the sweep's length only
        from aijobs.reports import dask_workers

        with distributed.Client(cluster) as client:
            assert set(client.run(dask_workers.worker_warm_socket).values()) == {None}
            with dask_workers.warm_kernels_on(client, [SPECS["growth_rates"].notebook]):
                sockets = client.run(dask_workers.worker_warm_socket)
                assert len(sockets) == 2 and all(sockets.values())
                assert len(set(sockets.values())) == 2, "a server per worker"
            assert set(client.run(dask_workers.worker_warm_socket).values()) == {None}
    assert result.returncode == 0, result.stderr
    assert "6 variants: 4 built, 2 up to date, 0 failed" in result.stdout
    assert sorted(re.findall(r"^\d+/6 built +(\S+)", result.stdout, re.M)) == on_dask
    names = sorted(p.name for p in local.iterdir() if p.is_file() and p.suffix in
                   (".html", ".csv"))
    assert len(names) == 9  # 6 pages, the gallery, the CSV and the chart's CSV
    for name in names:
        assert _undated(remote / name) == _undated(local / name), name
    for data in local.glob("*_data"):
        for file in data.iterdir():
            assert (remote / data.name / file.name).read_bytes() == file.read_bytes()
