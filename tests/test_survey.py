"""Reading, cleaning and summarising an aijobs.net salary survey; bad files and bad rows."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, write

from aijobs.analysis import audit
from aijobs.errors import DataError, ParameterError
from aijobs.survey import evidence
from aijobs.survey import reader as survey

SNAPSHOT = ROOT.parent / "shared" / "data" / "aijobs-salaries" / "2025-01-19" / "salaries.csv"
HEADER = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,"
          "salary_in_usd,employee_residence,remote_ratio,company_location,company_size\n")


def row(title="Machine Learning Engineer", usd=150000, year=2024, level="SE", kind="FT",
        country="US"):
    return f"{year},{level},{kind},{title},{usd},USD,{usd},{country},0,{country},M\n"


def need_snapshot():
    if not SNAPSHOT.exists():
        import os

        if os.environ.get("CI"):
            pytest.fail(f"CI provides ../shared; {SNAPSHOT} is missing")
        pytest.skip("the survey snapshot is read from ../shared; not beside this checkout")


@pytest.fixture(scope="module")
def snapshot():
    need_snapshot()
    return survey.read_survey(SNAPSHOT)


def test_snapshot_reads_whole(snapshot):
    assert snapshot.n_read == 74_301  # the snapshot's README gives 74,301 rows
    assert snapshot.md5 == "1884e0b0e63118c58785e40c82a5d63d"
    assert snapshot.n_excluded == 0
    assert len(snapshot.rows) == 74_301


def test_ml_engineer_median_is_plausible(snapshot):
    rows = survey.filtered_rows(snapshot, survey.normalised_filters())
    pct = survey.percentiles(rows).set_index("role_id")
    median = pct.loc["ai_ml_engineer", "p50_usd"]
    # US full-time ML engineers: well above the US all-jobs median (~$60K) and below the
    # levels only a few staff-level roles reach ($400K); the article itself claims $150-220K.
    assert 120_000 <= median <= 260_000
    assert pct.loc["ai_ml_engineer", "n"] >= 1_000  # the survey's most common AI title


def test_percentiles_by_hand():
    rows = pd.DataFrame({"role_id": ["r"] * 5, "salary_in_usd": [10.0, 20, 30, 40, 50],
                         "work_year": 2024, "is_baseline": False})
    p = survey.percentiles(rows, min_n=5).iloc[0]
    # linear interpolation: p10 = 10 + 0.4 x 10 = 14, p25 = 20, p50 = 30, p75 = 40, p90 = 46
    assert [p["p10_usd"], p["p25_usd"], p["p50_usd"], p["p75_usd"], p["p90_usd"]] == \
        pytest.approx([14, 20, 30, 40, 46])
    assert bool(p["is_reportable"]) is True
    assert bool(survey.percentiles(rows, min_n=6).iloc[0]["is_reportable"]) is False


def test_premium_by_hand(tmp_path):
    lines = [row("Machine Learning Engineer", 120_000 + i) for i in range(3)]
    lines += [row("Software Engineer", 100_000 + i) for i in range(3)]
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + "".join(lines)))
    prem = survey.ai_premium(data.rows, by_year=False, min_n=3).set_index("role_id")
    # medians 120,001 and 100,001
    assert prem.loc["ai_ml_engineer", "premium"] == pytest.approx(120_001 / 100_001 - 1)
    assert bool(prem.loc["ai_ml_engineer", "is_computable"])


def test_old_snapshot_without_software_engineers(tmp_path):
    lines = [row("Machine Learning Engineer", 150_000, year=2021) for _ in range(40)]
    data = survey.read_survey(write(tmp_path / "old.csv", HEADER + "".join(lines)))
    prem = survey.ai_premium(data.rows, by_year=True)
    assert not prem["is_computable"].any()
    assert prem["reason"].iloc[0] == ("no software-engineer responses in this survey to "
                                      "compare with")
    tables, _ = evidence.evidence_tables(data, survey.normalised_filters())
    assert tables["survey_percentiles"]["n"].iloc[0] == 40  # the rest still works


def test_extra_columns_and_json_give_the_same_numbers(tmp_path):
    body = "".join(row(usd=100_000 + 1000 * i) for i in range(35))
    csv = write(tmp_path / "s.csv", HEADER + body)
    with_id = pd.read_csv(csv)
    with_id.insert(0, "Id", range(len(with_id)))
    with_id.to_csv(tmp_path / "with_index.csv")  # adds an unnamed index column as well
    records = pd.read_csv(csv).to_dict("records")
    (tmp_path / "s.json").write_text(json.dumps(records))
    results = [survey.percentiles(survey.read_survey(tmp_path / name).rows)
               for name in ("s.csv", "with_index.csv", "s.json")]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


def test_unmapped_titles_are_kept_and_counted(tmp_path):
    body = row("Data Scientist") * 3 + row("Machine Learning Engineer")
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + body))
    assert len(data.rows) == 4
    _, prov = evidence.evidence_tables(data, survey.normalised_filters())
    assert prov["rows_unmapped"] == 3 and prov["unmapped_titles"] == 1
    mix = survey.response_mix(data.rows).set_index("role_id")["responses"]
    assert mix["unmapped"] == 3


def test_filters(tmp_path):
    body = (row(country="US") * 2 + row(country="DE") + row(kind="CT")
            + row(level="EN", year=2023))
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + body))
    assert len(survey.filtered_rows(data, survey.normalised_filters())) == 3
    f = survey.normalised_filters(company_countries=[], employment_types=[])
    assert len(survey.filtered_rows(data, f)) == 5
    f = survey.normalised_filters(experience_levels=["en"], work_years=["2023"])
    assert len(survey.filtered_rows(data, f)) == 1
    with pytest.raises(ParameterError, match="parameter experience_levels: unknown code"
                                             r"\(s\) XX; expected any of EN, MI, SE, EX"):
        survey.normalised_filters(experience_levels=["XX"])


BAD_ROWS = {
    "text in salary_in_usd": (row(usd="lots"), "salary_in_usd is not a number"),
    "negative salary": (row(usd=-5), "salary_in_usd is zero or negative"),
    "unknown experience code": (row(level="XX"), "experience_level is not one of EN, MI, SE, EX"),
    "unknown employment code": (row(kind="ZZ"), "employment_type is not one of FT, PT, CT, FL"),
    "year out of range": (row(year=1999), "work_year is not a year from 2000 to"),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_bad_rows_are_excluded_counted_and_strict_stops(tmp_path, case):
    bad, reason = BAD_ROWS[case]
    file = write(tmp_path / "s.csv", HEADER + row() + bad + row() + bad)
    data = survey.read_survey(file)
    assert len(data.rows) == 2
    (key, found), = data.exclusions.items()
    assert key.startswith(reason)
    assert found == {"count": 2, "example_rows": [3, 5]}  # file lines of the bad rows
    with pytest.raises(DataError) as info:
        survey.read_survey(file, strict=True)
    assert f"{file}, line 3, column" in str(info.value)
    assert reason in str(info.value)


MALFORMED = {
    "missing column": (HEADER.replace(",salary_in_usd", "") + "2024,SE,FT,X,1,USD,US,0,US,M\n",
                       "missing column salary_in_usd"),
    "semicolon-delimited": (HEADER.replace(",", ";") + row().replace(",", ";"),
                            "separated by semicolons; expected a comma-separated file"),
    "header only": (HEADER, "has a header but no rows of salaries"),
    "JSON list of wrong objects": ('[{"name": "x", "pay": 1}]',
                                   "missing columns work_year, experience_level"),
    "JSON not a list": ('{"salary": 1}', "JSON is not a table; expected a list of objects"),
    "broken JSON": ('[{"work_year": 2024,', "not valid JSON"),
    "empty file": ("", "the file is empty"),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_text_files(tmp_path, case):
    text, message = MALFORMED[case]
    with pytest.raises(DataError, match=message):
        survey.read_survey(write(tmp_path / "bad.csv", text))


def test_binary_and_non_utf8_files(tmp_path):
    binary = tmp_path / "bad.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(DataError, match="a binary file, not a table"):
        survey.read_survey(binary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + row("Ingénieur")).encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 text \(byte \d+\)"):
        survey.read_survey(latin)
    with pytest.raises(DataError, match="survey file not found"):
        survey.read_survey(tmp_path / "missing.csv")


def test_byte_order_mark_is_read(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff".encode() + (HEADER + row()).encode())
    assert survey.read_survey(bom).rows["work_year"].tolist() == [2024]


def test_derived_tables_regenerate_identically(tmp_path):
    need_snapshot()
    written = evidence.write_derived(SNAPSHOT, tmp_path, date="2026-11-26")
    assert len(written) == 12
    for file in written:
        committed = evidence.DERIVED_DIR / file.name
        assert file.read_bytes() == committed.read_bytes(), f"{file.name} differs"


def test_recomputed_evidence_equals_the_committed(snapshot):
    fresh = evidence.load_evidence(str(SNAPSHOT))
    committed = evidence.load_evidence("")
    assert committed.from_derived and not fresh.from_derived
    for name in ("survey_percentiles", "survey_premium", "survey_region"):
        a = committed[name].reset_index(drop=True)
        b = evidence._ordered(name, fresh[name]).reset_index(drop=True)
        for column in a.columns:
            if pd.api.types.is_numeric_dtype(a[column]):
                def as_float(values):
                    return np.array([np.nan if pd.isna(v) else float(v) for v in values])

                assert np.allclose(as_float(a[column]), as_float(b[column]), equal_nan=True), \
                    (name, column)
            else:
                assert a[column].fillna("").astype(str).tolist() == \
                    b[column].fillna("").astype(str).tolist(), (name, column)


def test_committed_evidence_refuses_other_filters():
    with pytest.raises(ParameterError, match="survey filters or min_n differ from those of the "
                                             "committed evidence"):
        evidence.load_evidence("", experience_levels=["EN"])


def test_band_verdict_rule_by_hand():
    # claim 150-220 vs IQR 145-243: overlap 70 = all of the claim and 70/98 of the IQR
    assert audit.band_verdict(150, 220, 145, 243) == ("supported", 70)
    # claim 160-200 vs IQR 100-300: overlap 40 is all of the claim but 20% of the IQR
    assert audit.band_verdict(160, 200, 100, 300) == ("partly supported", 40)
    assert audit.band_verdict(160, 200, 210, 300) == ("not supported", 0.0)


def test_audit_covers_every_numeric_claim():
    from aijobs.analysis import transforms
    from aijobs.data import tables

    roles = tables.load_table("roles")
    bands = transforms.bands_with_midpoints(tables.load_table("salary_bands"), roles)
    growth = transforms.growth_table(tables.load_table("growth_rates"), roles)
    ev = evidence.load_evidence("")
    pct = ev["survey_percentiles"]
    result = audit.claims_audit(bands, pct[pct["group"] == "all"], growth,
                                tables.load_table("market_claims"),
                                tables.load_table("learning_path_steps"),
                                evidence_text=ev.summary, min_n=30)
    # 5 bands + 1 open-ended top + 3 growth rates + 1 shelf life + 4 timed steps
    assert len(result) == 14
    assert set(result["verdict"]) <= set(audit.VERDICTS)
    growth_rows = result[result["claim"].str.contains("growth")]
    assert set(growth_rows["verdict"]) == {"no data"}
    ml = result[result["claim"].str.startswith("AI/ML Engineer")].iloc[0]
    assert ml["verdict"] == "supported"  # 150-220 vs the survey's 145-243
    assert "p25 $145K" in ml["evidence"] and "n 6,041" in ml["evidence"]


@pytest.mark.parametrize("engine", ["c", pytest.param("pyarrow", marks=pytest.mark.skipif(
    importlib.util.find_spec("pyarrow") is None, reason="pyarrow is optional"))])
def test_namibia_is_a_country_not_a_missing_value(tmp_path, engine):
    data = survey.read_survey(write(tmp_path / "s.csv", HEADER + row(country="NA")),
                              engine=engine)
    assert data.rows["company_location"].astype(str).tolist() == ["NA"]


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="pyarrow is optional")
def test_both_engines_read_the_same(tmp_path):
    body = row() + row(usd="lots") + row(level="XX", title=" Prompt Engineer ")
    file = write(tmp_path / "s.csv", HEADER + body)
    a, b = survey.read_survey(file, engine="c"), survey.read_survey(file, engine="pyarrow")
    assert a.exclusions == b.exclusions
    pd.testing.assert_frame_equal(a.rows.astype(str), b.rows.astype(str))
