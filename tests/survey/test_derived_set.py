"""Derived evidence is published whole: survey-derive writes the new set beside the old one,
checks it and swaps it in with one rename, so a full disk or a kill never leaves tables of two
runs side by side; every sidecar records the run, and `aijobs validate` refuses a mixed set."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_in, write
from survey_samples import HEADER, row

from aijobs import cli, files
from aijobs.data import tables
from aijobs.survey import evidence

SAMPLE = HEADER + "".join(row(title=t, usd=u, year=y)
                          for t in ("Machine Learning Engineer", "Software Engineer",
                                    "Data Scientist")
                          for u in (120000, 150000, 180000, 210000)
                          for y in (2023, 2024))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _run_ids(folder: Path) -> set[str]:
    return {yaml.safe_load(p.read_text())["derived_from"]["run"]["id"]
            for p in folder.glob("survey_*.meta.yaml")}


def test_a_full_disk_midway_leaves_the_earlier_set_whole(tmp_path, monkeypatch, capsys):
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    (out / "notes.txt").write_text("another derivation's file")
    before = _files(out)
    assert len(_run_ids(out)) == 1
    survey = write(tmp_path / "s.csv", SAMPLE)
    real_fsync, calls = os.fsync, []

    def fsync_until_full(fd):
        calls.append(fd)
        if len(calls) == 7:  # the 7th file of the new set: the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_until_full)
    code = cli.main(["survey-derive", str(survey), "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "No space left on device" in err
    assert len(calls) == 7
    assert _files(out) == before  # every table and sidecar of the earlier run, byte for byte
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_new_set_replaces_the_old_whole_and_keeps_other_files(tmp_path):
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    (out / "survey_gone.csv").write_text("a table an earlier version made\n")
    (out / "oews_wages.csv").write_text("another set's table\n")
    old_ids = _run_ids(out)
    written = evidence.write_derived(write(tmp_path / "s.csv", SAMPLE), out, "2026-12-01")
    assert sorted(p.name for p in written) == sorted(
        p.name for p in out.iterdir() if p.name.startswith("survey_"))
    assert not (out / "survey_gone.csv").exists()  # the old run's, no longer made
    assert (out / "oews_wages.csv").read_text() == "another set's table\n"
    new_ids = _run_ids(out)
    assert len(new_ids) == 1 and new_ids != old_ids
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_run_id_follows_the_contents(tmp_path):
    survey = write(tmp_path / "s.csv", SAMPLE)
    evidence.write_derived(survey, tmp_path / "a", "2026-12-01")
    evidence.write_derived(survey, tmp_path / "b", "2026-12-01")
    assert _run_ids(tmp_path / "a") == _run_ids(tmp_path / "b")  # rerun: no file changes
    evidence.write_derived(write(tmp_path / "t.csv", SAMPLE + row(usd=99000)),
                           tmp_path / "c", "2026-12-01")
    assert _run_ids(tmp_path / "c") != _run_ids(tmp_path / "a")


def test_publish_set_refused_by_its_check_changes_nothing(tmp_path):
    folder = tmp_path / "set"
    files.publish_set(folder, {"a.csv": "1\n", "b.csv": "2\n"}, owns=lambda n: True)
    before = _files(folder)

    def refuse(new: Path) -> None:
        assert (new / "a.csv").read_text() == "3\n"
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        files.publish_set(folder, {"a.csv": "3\n"}, owns=lambda n: True, check=refuse)
    assert _files(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_validate_refuses_tables_from_two_runs(project_copy):
    sidecar = project_copy / "data" / "derived" / "survey_years.meta.yaml"
    meta = yaml.safe_load(sidecar.read_text())
    meta["derived_from"]["run"]["id"] = "0123456789abcdef"
    sidecar.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100))
    result = run_in(project_copy, "validate")
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in result.stderr
    assert line.startswith("error: data/derived: the 'survey' tables come from 2 different runs")
    assert "run 0123456789abcdef: survey_years.meta" not in line  # names tables, not files
    assert "run 0123456789abcdef: survey_years;" in line
    assert "make survey-derive" in line
    one = run_in(project_copy, "validate", "derived/survey_mix")
    assert one.returncode == 2 and "2 different runs" in one.stderr


def test_validate_refuses_a_set_missing_a_member(project_copy):
    for suffix in (".csv", ".meta.yaml"):
        (project_copy / "data" / "derived" / f"survey_yoy{suffix}").unlink()
    result = run_in(project_copy, "validate")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: data/derived: the 'survey' run made survey_yoy, missing here; rerun the "
        "derivation to make the set whole")


@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("mount"),
                    reason="mounting a small tmpfs needs root")
def test_a_really_full_disk_leaves_the_earlier_set_whole_and_valid(tmp_path, project_copy):
    """survey-derive into a tmpfs that holds the committed set and little more."""
    mount = Path(f"/tmp/aijobs-full-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    held = sum(p.stat().st_size for p in (project_copy / "data" / "derived").iterdir())
    size_k = 2 * held // 1024 + 256  # room for the set (in 4 KB pages), then filled
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_k}k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        derived = mount / "derived"
        shutil.copytree(project_copy / "data" / "derived", derived)
        before = _files(derived)
        free = shutil.disk_usage(mount).free
        (mount / "filler").write_bytes(b"\0" * (free - 16 * 1024))  # 16 KB left
        survey = write(tmp_path / "s.csv", SAMPLE)
        result = subprocess.run([sys.executable, "-m", "aijobs.cli", "survey-derive",
                                 str(survey), "--output-dir", str(derived)],
                                capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr
        assert _files(derived) == before
        assert sorted(p.name for p in mount.iterdir()) == ["derived", "filler"]
        shutil.rmtree(project_copy / "data" / "derived")
        shutil.copytree(derived, project_copy / "data" / "derived")
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()
    # the set left on the full disk validates
    assert run_in(project_copy, "validate").returncode == 0


def _sensitivity_row(folder: Path, title: str, variant: str, repeats: str = "drop") -> dict:
    import csv

    with open(folder / "survey_title_sensitivity.csv", encoding="utf-8", newline="") as fh:
        return next(r for r in csv.DictReader(fh)
                    if (r["job_title"], r["variant"], r["repeats"]) == (title, variant, repeats))


def test_a_small_valid_snapshot_derives_a_set_that_validates(tmp_path):
    """A snapshot without most contested titles (cells with no postings: no percentile to
    compute) derives a set that `aijobs validate` accepts, through the command."""
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    survey = write(tmp_path / "s.csv", SAMPLE)
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", "survey-derive", str(survey),
                             "--output-dir", str(out), "--date", "2026-12-01"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote 24 files to {out}"
    # no AI Product Owner posting: its cells are empty and say why
    empty = _sensitivity_row(out, "AI Product Owner", "with")
    assert (empty["n_postings"], empty["p10_usd"], empty["p50_usd"], empty["p90_usd"],
            empty["median_range_max_usd"], empty["reliability"],
            empty["reliability_reason"]) == ("0", "", "", "", "", "suppressed", "no postings")
    # the eight Machine Learning Engineer postings (120k, 150k, 180k, 210k in 2023 and 2024):
    # p10 at position 0.7 of the sorted eight = 120,000; p25 at 1.75 = 120k + 0.75 x 30k =
    # 142,500; the median 165,000; p90 at 6.3 = 210,000; 8 adverts, under the minimum of 30
    full = _sensitivity_row(out, "AI Developer", "without")
    assert (full["role_id"], full["n_postings"], full["p10_usd"], full["p25_usd"],
            full["p50_usd"], full["p90_usd"], full["reliability"]) == (
        "ai_ml_engineer", "8", "120000.0", "142500.0", "165000.0", "210000.0", "suppressed")
    checked = subprocess.run([sys.executable, "-m", "aijobs.cli", "validate",
                              "derived/survey_title_sensitivity", "--file",
                              str(out / "survey_title_sensitivity.csv")],
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert checked.returncode == 0, checked.stderr
    for name in evidence.TABLES:  # each table as `aijobs validate` loads it
        tables.load_table(f"derived/{name}", out / f"{name}.csv")  # raises on a problem


def test_the_sensitivity_schema_allows_empty_only_where_the_row_says_so(tmp_path):
    """Empty percentiles are allowed in a cell with no postings (and a suppressed one), never
    in a cell graded reliable; a cell with no postings holds no percentile."""
    table = evidence.DERIVED_DIR / "survey_title_sensitivity.csv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    at = {c: header.index(c) for c in ("p50_usd", "n_postings", "reliability")}
    # the first reliable row, its median emptied
    index, fields = next((i, line.rstrip("\n").split(",")) for i, line in enumerate(lines)
                         if i and line.rstrip("\n").split(",")[at["reliability"]] == "reliable")
    fields[at["p50_usd"]] = ""
    bad = write(tmp_path / "bad.csv", "".join(lines[:index] + [",".join(fields) + "\n"]
                                               + lines[index + 1:]))
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", "validate",
                             "derived/survey_title_sensitivity", "--file", str(bad)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert (f"row {index} (line {index + 1}), column p50_usd: empty, but a value is required "
            "when reliability is reliable") in result.stderr


def test_a_derived_set_validate_would_refuse_is_not_published(tmp_path, monkeypatch, capsys):
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    before = _files(out)
    real = evidence.evidence_tables

    def with_a_bad_count(*args, **kwargs):
        tables, provenance = real(*args, **kwargs)
        tables["survey_years"].loc[1, "n_rows"] = -3  # the schema's minimum is 0
        return tables, provenance

    monkeypatch.setattr(evidence, "evidence_tables", with_a_bad_count)
    code = cli.main(["survey-derive", str(write(tmp_path / "s.csv", SAMPLE)),
                     "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: {out}/survey_years.csv is not a valid 'derived/survey_years' "
                          f"table (1 problem): {out}/survey_years.csv, row 2 (line 3), "
                          "column n_rows: ")
    assert err.rstrip().endswith(f"the new tables were not published, the earlier ones in {out} "
                                 "are unchanged")
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_file_with_no_us_full_time_row_is_refused(tmp_path):
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    before = _files(out)
    survey = write(tmp_path / "nonus.csv", HEADER + row(country="PL") + row(kind="CT")
                   + row(country="DE", kind="PT"))
    result = subprocess.run([sys.executable, "-m", "aijobs.cli", "survey-derive", str(survey),
                             "--output-dir", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2
    assert result.stderr == (
        "error: no row of nonus.csv is a US full-time posting (company in US; living anywhere; "
        "all experience levels; employment FT; all years): nothing to derive; expected rows "
        "with company_location US and employment_type FT. The earlier tables are unchanged\n")
    assert result.stdout == ""
    assert _files(out) == before


def test_a_file_with_no_title_of_a_role_is_refused(tmp_path, capsys):
    out = tmp_path / "derived"
    shutil.copytree(evidence.DERIVED_DIR, out)
    before = _files(out)
    survey = write(tmp_path / "sister.csv", HEADER + "".join(
        row("Data Scientist", 100_000 + i) for i in range(40)))
    assert cli.main(["survey-derive", str(survey), "--output-dir", str(out)]) == 2
    assert capsys.readouterr().err == (
        "error: no US full-time posting of sister.csv has a job title mapped to a role of the "
        "article (data/survey_title_map.csv): nothing to derive; expected titles such as "
        "Machine Learning Engineer. The earlier tables are unchanged\n")
    assert _files(out) == before
