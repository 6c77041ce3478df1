"""Loading and validation of the tables in data/, with good and bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import write

from aijobs import paths
from aijobs.data import tables
from aijobs.data.tables import DataError

BAND_HEADER = ("role_id,salary_low_usd,salary_high_usd,is_open_ended,basis,currency,period,"
               "source_section\n")


def test_every_table_loads_with_declared_types():
    loaded = tables.load_tables()
    assert set(loaded) == set(tables.list_tables())
    bands = loaded["salary_bands"]
    assert bands["salary_low_usd"].dtype == "int64"
    assert bands["is_open_ended"].dtype == bool
    steps = loaded["learning_path_steps"]
    assert steps["duration_months_min"].dtype == "float64"
    # Ongoing steps carry no number.
    assert steps.loc[steps["is_ongoing"], "duration_months_min"].isna().all()


def test_article_salary_band_values():
    bands = tables.load_table("salary_bands").set_index("role_id")
    assert bands.loc["ai_research_scientist", ["salary_low_usd", "salary_high_usd"]].tolist() \
        == [180_000, 250_000]
    assert bool(bands.loc["ai_research_scientist", "is_open_ended"]) is True
    assert not bands.drop("ai_research_scientist")["is_open_ended"].any()
    assert set(bands["basis"]) == {"tech_hub_average"}


def test_growth_period_is_recorded_as_unstated():
    growth = tables.load_table("growth_rates")
    assert set(growth["growth_period"]) == {"unstated"}


def test_user_table_with_own_figures_loads(tmp_path):
    own = write(tmp_path / "my_city.csv", BAND_HEADER +
                "ai_ml_engineer,90000,130000,false,user_supplied,USD,annual,\n")
    frame = tables.load_table("salary_bands", own)
    assert frame["salary_high_usd"].tolist() == [130_000]
    assert frame["source_section"].isna().all()


@pytest.mark.parametrize("body, expected", [
    ("ai_ml_engineer,150K,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["row 1 (line 2), column salary_low_usd", "got '150K', not a whole number",
      "expected a whole number at least 1000 and at most 10,000,000"]),
    ("ai_ml_engineer,0,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["column salary_low_usd", "got '0', too small", "at least 1000"]),
    ("ai_ml_engineer,250000,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["row 1 (line 2), columns salary_low_usd/salary_high_usd",
      "salary_low_usd = 250000 but salary_high_usd = 220000",
      "expected salary_low_usd <= salary_high_usd"]),
    ("ai_ml_engineer,150000,220000,maybe,tech_hub_average,USD,annual,pay_highest\n",
     ["column is_open_ended", "got 'maybe', not true or false"]),
    ("ai_ml_engineer,150000,220000,false,tech_hub_average,EUR,annual,pay_highest\n",
     ["column currency", "got 'EUR', not an allowed value; expected one of USD"]),
    ("data_wizard,150000,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["column role_id", "'data_wizard' is not a role_id in data/roles.csv",
      "expected one of the 14: ai_agent_developer", "... (2 more)"]),
    ("ai_ml_engineer,150000,220000,false,tech_hub_average,USD,annual,chapter_9\n",
     ["column source_section", "'chapter_9' is not a section_id"]),
    (",150000,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["column role_id", "empty; expected text"]),
    ("ai_ml_engineer,150000,220000,false,tech_hub_average,USD,annual,pay_highest\n"
     "ai_ml_engineer,150000,220000,false,tech_hub_average,USD,annual,pay_highest\n",
     ["row 2 (line 3), column role_id", "repeats row 1"]),
])
def test_bad_salary_rows_are_named_by_row_and_column(tmp_path, body, expected):
    bad = write(tmp_path / "salary_bands.csv", BAND_HEADER + body)
    with pytest.raises(DataError) as info:
        tables.load_table("salary_bands", bad)
    message = str(info.value)
    assert str(bad) in message
    for part in expected:
        assert part in message


def test_growth_at_or_below_minus_100_percent_is_rejected(tmp_path):
    bad = write(tmp_path / "growth.csv", "role_id,growth_pct,growth_period,source_section\n"
                                         "prompt_engineer,-100,unstated,\n")
    with pytest.raises(DataError, match=r"column growth_pct: got '-100', too small; expected a "
                                        r"number above -100"):
        tables.load_table("growth_rates", bad)


def test_missing_and_unknown_columns_are_named(tmp_path):
    bad = write(tmp_path / "bands.csv", "role_id,salary_low,salary_high_usd\nx,1,2\n")
    with pytest.raises(DataError) as info:
        tables.load_table("salary_bands", bad)
    message = str(info.value)
    assert "missing columns 'salary_low_usd', 'is_open_ended'" in message
    assert "unknown column 'salary_low'" in message
    assert "expected columns: role_id, salary_low_usd" in message


def test_learning_step_rules(tmp_path):
    header = ("path_id,step_order,step_label,step_kind,is_ongoing,duration_months_min,"
              "duration_months_max,source_section\n")
    bad = write(tmp_path / "steps.csv", header +
                "technical,1,Learn Python,timed,false,,6,break_in\n"
                "technical,2,Build projects,ongoing,false,3,,break_in\n")
    with pytest.raises(DataError) as info:
        tables.load_table("learning_path_steps", bad)
    message = str(info.value)
    assert "row 1 (line 2), column duration_months_min: empty, but a value is required when " \
           "step_kind is timed" in message
    assert "row 2 (line 3), column duration_months_min: got 3.0; expected empty when step_kind " \
           "is ongoing" in message
    assert "row 2 (line 3), column is_ongoing: got False; expected True" in message


@pytest.mark.parametrize("content, expected", [
    (b"", "the file is empty"),
    (b"   \n", "the file is empty"),
    (b"\xff\xfe\x00b\x00a\x00d", "not UTF-8 text"),
    (b'role_id,salary_low_usd\n"unclosed,1\n', "not a well-formed CSV file"),
])
def test_unreadable_files(tmp_path, content, expected):
    bad = tmp_path / "bands.csv"
    bad.write_bytes(content)
    with pytest.raises(DataError, match=expected):
        tables.load_table("salary_bands", bad)


def test_missing_file_and_unknown_table(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        tables.load_table("salary_bands", tmp_path / "nope.csv")
    with pytest.raises(DataError, match="no table called 'salaries'.*Known tables: "
                                        "article_sections"):
        tables.load_table("salaries")


def test_one_error_lists_every_problem_with_a_count(tmp_path):
    rows = "".join(f"ai_ml_engineer,x{i},100000,false,tech_hub_average,USD,annual,\n"
                   for i in range(12))
    bad = write(tmp_path / "bands.csv", BAND_HEADER + rows)
    with pytest.raises(DataError) as info:
        tables.load_table("salary_bands", bad, check_references=False)
    message = str(info.value)
    # 12 bad numbers + 11 repeated keys
    assert "(23 problems)" in message
    assert "; ... and 20 more" in message and "\n" not in message


def test_bom_is_tolerated(tmp_path):
    own = tmp_path / "bom.csv"
    row = "ai_ml_engineer,1000,2000,false,user_supplied,USD,annual,\n"
    own.write_bytes("\ufeff".encode() + (BAND_HEADER + row).encode())
    assert tables.load_table("salary_bands", own)["salary_low_usd"].tolist() == [1000]


def test_source_line_cites_the_article_and_the_tables():
    line = tables.source_line("salary_bands", "roles")
    assert line == ("Source: AI job market commentary (article). Tables: data/salary_bands.csv, "
                    "data/roles.csv.")


def test_loaded_tables_are_recorded_for_the_sources_section():
    tables.load_table("trends")
    assert tables.LOADED["trends"] == "data/trends.csv"
    assert isinstance(tables.load_table("trends"), pd.DataFrame)


def test_a_sidecar_with_a_duplicate_key_is_refused(tmp_path, monkeypatch):
    from aijobs import paths

    data = tmp_path / "data"
    data.mkdir()
    (data / "t.csv").write_text("a\n1\n")
    (data / "t.meta.yaml").write_text("title: T\ntitle: U\n")
    monkeypatch.setattr(paths, "DATA_DIR", data)
    with pytest.raises(DataError, match=r"t.meta.yaml: not valid YAML, line 2, column 1: "
                                        r"the key 'title' appears twice \(first on line 1\)"):
        tables.load_schema("t")


def test_an_edited_sidecar_is_read_again(tmp_path, monkeypatch):
    import os
    import shutil

    from aijobs import paths

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    sidecar = data / "trends.meta.yaml"
    assert tables.load_schema("trends").meta["title"] != "Edited title"
    text = sidecar.read_text()
    title = tables.load_schema("trends").meta["title"]
    sidecar.write_text(text.replace(f"title: {title}", "title: Edited title", 1))
    later = sidecar.stat().st_mtime_ns + 2_000_000_000  # a new stamp even on a coarse clock
    os.utime(sidecar, ns=(later, later))
    assert tables.load_schema("trends").meta["title"] == "Edited title"


def test_showing_the_sources_closes_the_record(monkeypatch):
    from aijobs import paths
    from aijobs.notebook import display

    shown = []
    monkeypatch.setattr(display, "display", lambda *a, **k: shown.append(a))
    tables.load_table("trends")
    display.show_sources()
    assert "trends" in str(shown[0][0].data)
    assert not tables.LOADED and not paths.FILES_READ
    tables.load_table("skills")
    # the next run lists only what it read: skills and the table its section ids refer to
    assert list(tables.LOADED) == ["article_sections", "skills"]


def test_every_curated_number_column_declares_plausible_bounds():
    for name in tables.list_tables():
        if name.startswith("derived/"):
            continue  # written by survey-derive from survey rows already bounded on reading
        for col in tables.load_schema(name).columns:
            if col.type in ("integer", "number"):
                low = col.minimum if col.minimum is not None else col.exclusive_minimum
                assert low is not None and col.maximum is not None, \
                    f"{name}.{col.name} needs a minimum and a maximum"


@pytest.mark.parametrize("table, column, value, expected", [
    ("salary_bands", "salary_high_usd", "9000000000000000000",
     "column salary_high_usd: got '9000000000000000000', too large; expected a whole number at "
     "least 1000 and at most 10,000,000"),
    ("salary_bands", "salary_high_usd", "1" + "0" * 26, "got '1" + "0" * 26 + "', far too large"),
    # 19 digits, beyond int64: was an OverflowError traceback when the frame was made
    ("salary_bands", "salary_high_usd", "9" * 19, "got '" + "9" * 19 + "', far too large"),
    ("salary_bands", "salary_low_usd", "500", "got '500', too small"),
    ("learning_path_steps", "duration_months_max", "600000000",
     "column duration_months_max: got '600000000', too large; expected a number at least 0 and "
     "at most 600"),
    ("growth_rates", "growth_pct", "1e300", "column growth_pct: got '1e300', too large"),
])
def test_implausible_magnitudes_name_file_row_and_column(tmp_path, table, column, value,
                                                         expected):
    source = paths.table_path(table).read_text().splitlines()
    header = source[0].split(",")
    row = source[1].split(",")
    row[header.index(column)] = value
    bad = write(tmp_path / f"{table}.csv", "\n".join([source[0], ",".join(row), *source[2:]])
                + "\n")
    with pytest.raises(DataError) as info:
        tables.load_table(table, bad)
    message = str(info.value)
    assert f"{table}.csv" in message and "row 1 (line 2)" in message
    assert expected in message
    assert "\n" not in message


def test_a_header_without_rows_is_refused(tmp_path):
    bad = write(tmp_path / "bands.csv", BAND_HEADER)
    with pytest.raises(DataError, match="bands.csv: the header has no rows under it; expected "
                                        "at least one row of table 'salary_bands'"):
        tables.load_table("salary_bands", bad)


def test_the_checks_are_a_pandera_schema_built_from_the_sidecar():
    import pandera.pandas as pa

    from aijobs.data.validation import pandera_schema

    schema = tables.load_schema("learning_path_steps")
    frame_schema, rules = pandera_schema(schema.model, "learning_path_steps", {})
    assert isinstance(frame_schema, pa.DataFrameSchema)
    assert frame_schema.unique == ["path_id", "step_order"]  # the primary key
    kind = frame_schema.columns["step_kind"]
    assert not kind.nullable
    assert kind.checks[0].statistics["allowed_values"] == ["timed", "ongoing", "focus"]
    months = frame_schema.columns["duration_months_min"]
    assert months.nullable  # required: false
    assert [c.statistics for c in months.checks] == [{"min_value": 0}, {"max_value": 600}]
    # Five row checks; the second requires two columns and the third forbids two: 7 rules.
    assert len(frame_schema.checks) == 1 + 2 + 2 + 1 + 1
    assert [r.kind for k, r in sorted(rules.items(), key=lambda kv: kv[0][1])
            if k[0] is None] == ["compare", "require", "require", "forbid", "forbid",
                                 "equal", "equal"]


def test_every_problem_of_a_table_is_found_at_once_in_cell_order(tmp_path):
    bad = write(tmp_path / "salary_bands.csv", BAND_HEADER
                + "ai_ml_engineer,500,x,false,tech_hub_average,EUR,annual,pay_highest\n"
                + "ai_ml_engineer,300000,200000,false,tech_hub_average,USD,annual,nowhere\n")
    with pytest.raises(DataError) as info:
        tables.load_table("salary_bands", bad)
    message = str(info.value)
    assert "(6 problems)" in message
    # By column, then row: low (row 1), high (row 1), currency (row 1); then the rest.
    first_three = message.split("): ", 1)[1].split("; ... and")[0]
    assert first_three.index("column salary_low_usd: got '500', too small") \
        < first_three.index("column salary_high_usd: got 'x', not a whole number") \
        < first_three.index("column currency: got 'EUR', not an allowed value")
    assert message.endswith("; ... and 3 more")


def test_an_edited_table_is_checked_again(tmp_path, monkeypatch):
    import os
    import shutil

    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    first = tables.load_table("trends")
    first.loc[0, "trend_label"] = "changed by the caller"  # callers get their own copy
    assert tables.load_table("trends").loc[0, "trend_label"] != "changed by the caller"
    table = data / "trends.csv"
    table.write_text(table.read_text().replace("uncertain", "maybe", 1))
    later = table.stat().st_mtime_ns + 2_000_000_000
    os.utime(table, ns=(later, later))
    with pytest.raises(DataError, match=r"trends.csv, row 1 \(line 2\), column outlook: got "
                                        r"'maybe', not an allowed value"):
        tables.load_table("trends")


def test_one_column_is_read_without_pandas_as_the_checked_table_has_it(tmp_path, monkeypatch):
    """columns.column_values: the same values as the checked table, in file order; None when
    the file or the column is not there, or a row is short (the caller then loads the table)."""
    import shutil

    from aijobs.data.columns import column_values

    ids = column_values("premium_estimates", "estimate_id")
    assert ids == [str(i) for i in tables.load_table("premium_estimates")["estimate_id"]]
    assert ids[:2] == ["pwc_2024", "pwc_2025"]
    assert column_values("premium_estimates", "no_such_column") is None
    assert column_values("no_such_table", "estimate_id") is None
    data = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, data)
    monkeypatch.setattr(paths, "DATA_DIR", data)
    (data / "roles.csv").write_text("role_id,role_name\nml_engineer\n")  # a short row
    assert column_values("roles", "role_name") is None
    (data / "roles.csv").write_bytes(b"role_id\n\xff\xfe\n")  # not UTF-8
    assert column_values("roles", "role_id") is None


def test_a_table_records_the_tables_it_references_however_warm_the_process():
    """What a load records (the page's Sources and inputs) does not depend on what the process
    loaded before: a warm build server has checked every table, in list order, before it forks
    a report's kernel, and a report built alone may find fewer of them checked. Worked out by
    hand from the sidecars: salary_bands refers to roles and article_sections, roles to
    article_sections."""
    from aijobs import paths

    expected = ["article_sections", "roles", "salary_bands"]
    tables.forget_loaded()
    paths.forget_reads()
    tables._CHECKED.clear()
    tables.load_table("salary_bands")  # cold: every check runs
    cold = (list(tables.LOADED), sorted(map(str, paths.FILES_READ)))
    assert cold[0] == expected
    tables.forget_loaded()
    paths.forget_reads()
    tables._CHECKED.clear()
    for name in tables.list_tables():  # checked afresh in list order, as the server warms them
        tables.load_table(name)
    for name in ("roles", "article_sections", "salary_bands"):
        tables.forget_loaded()
        paths.forget_reads()
        tables.load_table(name)
        tables.forget_loaded()
        paths.forget_reads()
        tables.load_table("salary_bands")
        assert (list(tables.LOADED), sorted(map(str, paths.FILES_READ))) == cold


def _same_series(got: pd.Series, want: pd.Series) -> None:
    """Exactly the same column: dtype, values, missing cells and what lies under the mask."""
    pd.testing.assert_series_equal(got, want, check_exact=True)
    if hasattr(want.array, "_mask"):
        assert (got.array._mask == want.array._mask).all()
        assert (got.array._data == want.array._data).all()
    if want.dtype == "float64":  # -0.0 stays -0.0
        assert (got.to_numpy().view("int64") == want.to_numpy().view("int64")).all()


def test_every_table_of_data_reads_whole_exactly_as_cell_by_cell():
    """The columns of every table in data/ are read whole (numpy on the column, not one cell at
    a time) and come out exactly as the cell-by-cell reading (_convert) gives them."""
    for name in tables.list_tables():
        file = paths.table_path(name)
        raw = tables._read_raw(file)
        for col in tables.load_schema(name).columns:
            texts = raw[col.name].tolist() if col.name in raw.columns else [""] * len(raw)
            whole = tables._parsed_whole(col, texts)
            assert whole is not None, f"{name}.{col.name} was read cell by cell"
            by_cell, problems = tables._parsed_by_cell(col, texts, str(file))
            assert problems == {}
            _same_series(whole, by_cell)


def test_every_table_of_data_is_passed_without_running_pandera():
    """Every table in data/ is valid, and the quick verdict (validation._nothing_fails) says so:
    loading them does not pay for pandera's machinery (pandera words problems when some rule
    fails; see test_the_quick_verdict_passes_a_table_only_when_pandera_finds_nothing)."""
    from aijobs.data import validation

    for name in tables.list_tables():
        schema = tables.load_schema(name)
        frame = tables.load_table(name)
        plan = validation._plan_for(schema.model, name, tables._references(schema, {}))
        assert validation._nothing_fails(frame, plan), name


ODD_CELLS = ["12", " +3 ", "-0", "007", "1_000", "\u0661\u0662", "1.0", "1e3", "0x10", "inf",
             "-inf", "nan", "NaN", "Infinity", "9" * 19, "-9223372036854775808",
             "9223372036854775807", "-9223372036854775807", "1" + "0" * 26, "1e400", ".5",
             "-.5e-3", "", "  ", "TRUE", " yes", "No", "0", "1", "maybe", "'=1", "''",
             "\u00a012\u00a0", "\u0663.\u0665", "1 2", "+", "\t7", "True\u00a0"]


@pytest.mark.parametrize("kind", ["string", "integer", "number", "boolean"])
def test_odd_cells_read_the_same_whole_or_cell_by_cell(kind):
    """Cells at the edges of each type (underscores, other scripts' digits, signs, int64's
    limits, inf and nan, spaces of every kind): the column reading gives the frame and the
    problems (file, row, line, column, what was got and expected) the cell-by-cell reading
    gives, each odd cell among plain ones and with an empty cell."""
    col = tables.ColumnSpec(name="c", type=kind, description="d")
    plain = {"string": "a", "integer": "5", "number": "2.5", "boolean": "true"}[kind]
    for cell in ODD_CELLS:
        for texts in ([cell], [plain, cell], [plain, cell, ""], [cell, cell, plain]):
            got, got_problems = tables._parsed(col, texts, "t.csv")
            want, want_problems = tables._parsed_by_cell(col, texts, "t.csv")
            assert got_problems == want_problems, (cell, texts)
            _same_series(got, want)
    _same_series(tables._parsed(col, [], "t.csv")[0], tables._parsed_by_cell(col, [], "t")[0])


def _pandera_finds_nothing(schema, frame: pd.DataFrame) -> bool:
    from pandera.errors import SchemaErrors

    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors:
        return False
    return True


@pytest.mark.parametrize("name", ["learning_path_steps", "roles"])
def test_the_quick_verdict_passes_a_table_only_when_pandera_finds_nothing(name):
    """validation._nothing_fails lets a table through without running pandera; it must answer
    True only where pandera's validation finds no failure case. Each cell of row 1 is set, in
    turn, to values that break the rules of these sidecars (between them: enums, a pattern,
    bounds, uniqueness, a two-column key, references, and row checks that compare, require,
    forbid and equal): empty, a repeat of row 2's value, out of bounds, outside an enum or a
    pattern, flipped; read as load_table reads it, the verdict must agree with pandera's, and
    both pass the table as it is in data/."""
    from aijobs.data import validation

    schema = tables.load_schema(name)
    file = paths.table_path(name)
    refs = tables._references(schema, {})
    frame_schema, _ = validation._schema_for(schema.model, name, refs)
    plan = validation._plan_for(schema.model, name, refs)

    def frame_of(raw: pd.DataFrame) -> pd.DataFrame | None:
        columns = {}
        for col in schema.columns:
            columns[col.name], unparsed = tables._parsed(col, raw[col.name].tolist(), "t")
            if unparsed:
                return None  # a cell that does not read: pandera always runs then
        return pd.DataFrame(columns)

    raw = tables._read_raw(file)
    whole = frame_of(raw)
    assert validation._nothing_fails(whole, plan)
    assert _pandera_finds_nothing(frame_schema, whole)
    verdicts = []
    for col in schema.columns:
        column = col.name
        kind = {"integer": ["-1000000", "1000000000"], "number": ["-1000000", "1000000000"],
                "boolean": [str(raw.at[0, column]).lower() != "true"],
                "string": ["zz-9", "none"]}[col.type]
        for text in ["", raw.at[1, column], *map(str, kind)]:
            bad = raw.copy()
            bad.at[0, column] = text
            frame = frame_of(bad)
            if frame is None:
                continue
            quick = validation._nothing_fails(frame, plan)
            verdicts.append(quick)
            assert quick == _pandera_finds_nothing(frame_schema, frame), (column, text)
    assert False in verdicts and True in verdicts  # both answers were put to the test
