"""The table of bad inputs: every one exits non-zero with one line that names the input, and
no page or derived file changes. Everything here is refused before any kernel starts."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from aijobs import cli, paths

SURVEY = ROOT.parent / "shared" / "data" / "aijobs-salaries" / "2025-01-19" / "salaries.csv"
CONFIG = paths.REPORTS_CONFIG.read_text()


def _table_with(table: str, column: str, value: str) -> str:
    lines = paths.table_path(table).read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index(column)] = value
    return "\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n"


def _header_only(table: str) -> str:
    return paths.table_path(table).read_text().splitlines()[0] + "\n"


def _renamed_column(table: str, old: str, new: str) -> str:
    text = paths.table_path(table).read_text()
    return text.replace(old, new, 1)


# a survey file whose two rows are both paid in {year}
FUTURE_SURVEY = ("work_year,experience_level,employment_type,job_title,salary,salary_currency,"
                 "salary_in_usd,employee_residence,remote_ratio,company_location,company_size\n"
                 + "{year},SE,FT,Machine Learning Engineer,150000,USD,150000,US,0,US,M\n" * 2)


# (id, argv with {tmp} for the case's folder and {out} for the seeded output folder,
#  files to write first {name: text or bytes}, exit code, words the one line must contain)
BUILD = ["build", "--dry-run", "--output-dir", "{out}"]
CASES = [
    # parameters of one report
    ("unknown parameter", [*BUILD, "growth_rates", "-p", "horizon", "3"], {}, 2,
     "growth_rates.ipynb has no parameter 'horizon'"),
    ("int as text", [*BUILD, "growth_rates", "-p", "horizon_years", "five"], {}, 2,
     "parameter horizon_years: cannot read 'five'"),
    ("int out of range", [*BUILD, "growth_rates", "-p", "horizon_years", "300"], {}, 2,
     "parameter horizon_years: got 300; expected a value from 1 to 30"),
    ("float NaN", [*BUILD, "scenario_baseline", "-p", "premium", "nan"], {}, 2,
     "parameter premium: got nan; expected a finite number"),
    ("float inf", [*BUILD, "scenario_baseline", "-p", "premium", "inf"], {}, 2,
     "parameter premium: got inf"),
    ("float -inf", [*BUILD, "scenario_baseline", "--params=-p wage_growth -inf"], {}, 2,
     "parameter wage_growth: got -inf"),
    ("option-like value", [*BUILD, "scenario_baseline", "-p", "wage_growth", "-inf"], {}, 2,
     "aijobs build: argument -p/--parameter: expected 2 arguments"),
    ("no command", [], {}, 2, "aijobs: the following arguments are required: command"),
    ("premium -5", [*BUILD, "scenario_baseline", "-p", "premium", "-5"], {}, 2,
     "parameter premium: got -5.0; expected a value from -0.99 to 5"),
    ("growth 10^300", [*BUILD, "scenario_baseline", "-p", "supply_growth", "1e300"], {}, 2,
     "parameter supply_growth: got 1e+300; expected a value from -0.99 to 5"),
    ("float as words", [*BUILD, "compensation_bands", "-p", "region_multiplier", "lots"], {},
     2, "parameter region_multiplier: cannot read 'lots' as float"),
    ("region multiplier 0", [*BUILD, "compensation_bands", "-p", "region_multiplier", "0"], {},
     2, "parameter region_multiplier: got 0.0; expected a value from 0.05 to 5"),
    ("mode typo", [*BUILD, "scenario_baseline", "-p", "mode", "rates"], {}, 2,
     "parameter mode: got 'rates'; expected one of 'rate', 'supply_demand'"),
    ("sort_by typo", [*BUILD, "compensation_bands", "-p", "sort_by", "median"], {}, 2,
     "parameter sort_by: got 'median'; expected one of"),
    ("basis typo", [*BUILD, "scenario_comparison", "-p", "basis", "Real"], {}, 2,
     "parameter basis: got 'Real'"),
    ("distribution typo", [*BUILD, "scenario_baseline", "-p", "distribution", "normal"], {}, 2,
     "parameter distribution: got 'normal'"),
    ("pay_measure typo", [*BUILD, "survey_evidence", "-p", "pay_measure", "mean"], {}, 2,
     "parameter pay_measure: got 'mean'"),
    ("repeats typo", [*BUILD, "claims_audit", "-p", "repeats", "dedupe"], {}, 2,
     "parameter repeats: got 'dedupe'"),
    ("skill_type typo", [*BUILD, "overview", "-p", "skill_type", "hard"], {}, 2,
     "parameter skill_type: got 'hard'"),
    ("role group typo", [*BUILD, "overview", "-p", "role_groups", "core"], {}, 2,
     "parameter role_groups: got 'core' as item 1"),
    ("path id typo", [*BUILD, "entry_competitiveness", "-p", "path_ids", "technical,art"], {},
     2, "parameter path_ids: got 'art' as item 2"),
    ("rate source typo", [*BUILD, "scenario_baseline", "-p", "normalization_rate_source",
                          "history"], {}, 2, "parameter normalization_rate_source: got 'history'"),
    ("experience level", [*BUILD, "survey_evidence", "-p", "experience_levels", "EN,JR"], {}, 2,
     "parameter experience_levels: got 'JR' as item 2"),
    ("employment type", [*BUILD, "survey_evidence", "-p", "employment_types", "FT,XX"], {}, 2,
     "parameter employment_types: got 'XX' as item 2"),
    ("country code", [*BUILD, "survey_evidence", "-p", "company_countries", "US,usa"], {}, 2,
     "parameter company_countries: got 'usa' as item 2"),
    ("region code", [*BUILD, "compensation_bands", "-p", "region", "Germany"], {}, 2,
     "parameter region: got 'Germany'; expected text matching"),
    ("work year word", [*BUILD, "survey_evidence", "-p", "work_years", "2024,next"], {}, 2,
     "parameter work_years: cannot read '2024,next' as list"),
    ("work year range", [*BUILD, "survey_evidence", "-p", "work_years", "[2024, 1800]"], {}, 2,
     "parameter work_years: got 1800 as item 2"),
    ("work year NaN", [*BUILD, "survey_evidence", "-p", "work_years", "[NaN]"], {}, 2,
     "parameter work_years: got nan as item 1"),
    ("nested list", [*BUILD, "survey_evidence", "-p", "employment_types", '[["FT"]]'], {}, 2,
     "parameter employment_types: got ['FT'] as item 1"),
    ("unknown role", [*BUILD, "compensation_bands", "-p", "roles", "ai_ml_engineer,ai_ml_enginer"],
     {}, 2, "parameter roles: no role 'ai_ml_enginer' (did you mean 'ai_ml_engineer'?)"),
    ("min_n too small", [*BUILD, "survey_evidence", "-p", "min_n", "1"], {}, 2,
     "parameter min_n: got 1; expected a value from 5 to 10,000"),
    ("bool word", [*BUILD, "compensation_bands", "-p", "show_survey", "perhaps"], {}, 2,
     "parameter show_survey: cannot read 'perhaps' as bool"),
    ("dict unquoted keys", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                            "{normalization_rate:[0.05,0.15,0.3]}"], {}, 2,
     "the double quotes around the keys are missing"),
    ("dict unknown key", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                          '{"rate": [0.1, 0.2, 0.3]}'], {}, 2,
     "parameter uncertainty: got 'rate' as a key"),
    ("dict NaN", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                  '{"normalization_rate": [0.1, NaN, 0.3]}'], {}, 2,
     "parameter uncertainty: got nan in 'normalization_rate'"),
    ("dict two values", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                         '{"normalization_rate": [0.1, 0.3]}'], {}, 2,
     "normalization_rate needs [low, most likely, high]"),
    ("dict descending", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                         '{"normalization_rate": [0.3, 0.2, 0.1]}'], {}, 2,
     "low <= most likely <= high"),
    ("dict out of bounds", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                            '{"normalization_rate": [0.1, 0.5, 1.5]}'], {}, 2,
     "the range of normalization_rate [0.1, 0.5, 1.5] leaves its bounds"),
    ("dict as text", [*BUILD, "scenario_baseline", "-p", "uncertainty", '"wide"'], {}, 2,
     "parameter uncertainty: cannot read"),
    ("premium source id", [*BUILD, "scenario_baseline", "-p", "premium_source", "pwc_2052"], {},
     2, "parameter premium_source: no estimate 'pwc_2052'"),
    ("premium source NaN", [*BUILD, "scenario_baseline", "-p", "premium_source", "nan"], {}, 2,
     "parameter premium_source: got 'nan'"),
    ("premium source 700%", [*BUILD, "scenario_baseline", "-p", "premium_source", "7"], {}, 2,
     "parameter premium_source: got '7'"),
    ("draws 0", [*BUILD, "scenario_baseline", "-p", "draws", "0"], {}, 2,
     "parameter draws: got 0; expected a value from 100"),
    ("seed negative", [*BUILD, "scenario_baseline", "-p", "seed", "-1"], {}, 2,
     "parameter seed: got -1"),
    ("growth period 0", [*BUILD, "growth_rates", "-p", "growth_period_years", "0"], {}, 2,
     "parameter growth_period_years: got 0.0"),
    # each valid, together beyond computing (issue 28: "inf is not a finite number")
    ("premium grows beyond computing", [*BUILD, "scenario_baseline", "-p", "mode",
                                        "supply_demand", "-p", "demand_growth", "5", "-p",
                                        "supply_growth", "-0.99", "-p", "elasticity", "5", "-p",
                                        "horizon_years", "30", "-p", "growth_decay", "0"], {}, 2,
     # log10(6 / 0.01) = 2.778 a year, times 30 years and elasticity 5: 416.8
     "parameters elasticity 5, supply_growth -0.99 and demand_growth 5 (mode supply_demand, "
     "horizon_years 30): the premium would grow about 10^417-fold by year 30, beyond any "
     "number a page can compute; expected settings that keep it under 10^100-fold, e.g. "
     "elasticity at most 1.2"),
    ("premium grows at the uncertainty's ends", [*BUILD, "scenario_baseline", "-p", "mode",
                                                 "supply_demand", "-p", "uncertainty",
                                                 '{"elasticity": [0.5, 1, 5], "supply_growth":'
                                                 ' [-0.99, 0.1, 0.2]}', "-p", "horizon_years",
                                                 "30"], {}, 2,
     # demand from data/growth_rates.csv: 280% halving yearly; 30 × 2 + Σ log10(1 + d_k) =
     # 61.46, times 5: 307.3
     "parameters elasticity 5 (an end of its uncertainty range), supply_growth -0.99 (an end "
     "of its uncertainty range) and demand growth up to 280% a year (data/growth_rates.csv) "
     "(mode supply_demand, horizon_years 30): the premium would grow about 10^307-fold"),
    ("configured scenario beyond computing", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": CONFIG.replace("demand_growth: 0.30\n      supply_growth: 0.12\n      "
                               "elasticity: 0.5", "demand_growth: 5\n      supply_growth: "
                               "-0.99\n      elasticity: 5\n      horizon_years: 30", 1)}, 2,
     "parameters elasticity 5, supply_growth -0.99 and demand_growth 5 (mode supply_demand, "
     "horizon_years 30): the premium would grow about 10^"),
    # files given as parameters
    ("path missing", [*BUILD, "compensation_bands", "-p", "salary_bands_path", "{tmp}/no.csv"],
     {}, 2, "parameter salary_bands_path: {tmp}/no.csv does not exist"),
    ("path folder", [*BUILD, "compensation_bands", "-p", "salary_bands_path", "{tmp}"], {}, 2,
     "parameter salary_bands_path: {tmp} is a folder"),
    ("path FIFO", [*BUILD, "survey_evidence", "-p", "survey_path", "{tmp}/fifo"],
     {"fifo": "FIFO"}, 2, "parameter survey_path: {tmp}/fifo is not a regular file"),
    ("band 10^26", [*BUILD, "compensation_bands", "-p", "salary_bands_path", "{tmp}/b.csv"],
     {"b.csv": _table_with("salary_bands", "salary_high_usd", "1" + "0" * 26)}, 2,
     "b.csv, row 1 (line 2), column salary_high_usd: got '1" + "0" * 26 + "', far too large"),
    ("band 9e18", [*BUILD, "compensation_bands", "-p", "salary_bands_path", "{tmp}/b.csv"],
     {"b.csv": _table_with("salary_bands", "salary_high_usd", "9000000000000000000")}, 2,
     "column salary_high_usd: got '9000000000000000000', too large"),
    ("bands header only", [*BUILD, "compensation_bands", "-p", "salary_bands_path",
                           "{tmp}/b.csv"], {"b.csv": _header_only("salary_bands")}, 2,
     "b.csv: the header has no rows under it"),
    ("roles missing column", [*BUILD, "compensation_bands", "-p", "roles_path", "{tmp}/r.csv"],
     {"r.csv": _renamed_column("roles", "role_name", "name")}, 2,
     "r.csv, header: missing column 'role_name'"),
    ("growth 10^300 in table", [*BUILD, "growth_rates", "-p", "growth_rates_path",
                                "{tmp}/g.csv"],
     {"g.csv": _table_with("growth_rates", "growth_pct", "1e300")}, 2,
     "column growth_pct: got '1e300', too large"),
    ("600M-month step", [*BUILD, "entry_competitiveness", "-p", "learning_path_steps_path",
                         "{tmp}/s.csv"],
     {"s.csv": _table_with("learning_path_steps", "duration_months_max", "600000000")}, 2,
     "column duration_months_max: got '600000000', too large"),
    # the command line
    ("-p with two reports", [*BUILD, "growth_rates", "overview", "-p", "horizon_years", "3"], {},
     2, "parameter overrides (-p) need exactly one report name"),
    ("unknown report", [*BUILD, "growth_rate"], {}, 2, "no report named 'growth_rate'"),
    ("PARAMS without -p", [*BUILD, "growth_rates", "--params=horizon_years 3"], {}, 2,
     "PARAMS: cannot read 'horizon_years 3'; expected -p NAME VALUE"),
    ("PARAMS trailing name", [*BUILD, "growth_rates", "--params=-p horizon_years"], {}, 2,
     "PARAMS: cannot read '-p horizon_years'"),
    # sweeps: every variant is checked before any runs, and nothing is written
    ("sweep value out of range", ["sweep", "growth_rates", "--output-dir", "{out}", "-g",
                                  "horizon_years", "2,0,3"], {}, 2,
     "sweep -g horizon_years, value '0': parameter horizon_years"),
    ("sweep unknown parameter", ["sweep", "growth_rates", "--output-dir", "{out}", "-g",
                                 "horizon", "2,3"], {}, 2,
     "has no parameter 'horizon'. Did you mean 'horizon_years'?"),
    ("sweep empty value", ["sweep", "growth_rates", "--output-dir", "{out}", "-g",
                           "horizon_years", "2,,3"], {}, 2,
     "sweep -g horizon_years: an empty value"),
    ("sweep parameter twice", ["sweep", "growth_rates", "--output-dir", "{out}", "-g",
                               "horizon_years", "2", "-g", "horizon_years", "3"], {}, 2,
     "sweep -g horizon_years: given twice"),
    ("sweep no grid", ["sweep", "growth_rates", "--output-dir", "{out}"], {}, 2,
     "sweep: give at least one -g NAME VALUES"),
    ("sweep unknown report", ["sweep", "growth_rate", "-g", "horizon_years", "2"], {}, 2,
     "no report named 'growth_rate'"),
    ("sweep GRID text", ["sweep", "growth_rates", "--grid-text=horizon_years 2,3"], {}, 2,
     "GRID: cannot read 'horizon_years 2,3'; expected -g NAME VALUES"),
    ("sweep dask without scheduler", ["sweep", "growth_rates", "--output-dir", "{out}",
                                      "--executor", "dask", "-g", "horizon_years", "2"], {}, 2,
     "--executor dask needs --scheduler ADDRESS"),
    ("sweep scheduler without dask", ["sweep", "growth_rates", "--output-dir", "{out}",
                                      "--scheduler", "tcp://127.0.0.1:1", "-g",
                                      "horizon_years", "2"], {}, 2,
     "--scheduler goes with --executor dask"),
    ("sweep unbalanced JSON", ["sweep", "scenario_baseline", "--output-dir", "{out}", "-g",
                               "roles", '["ai_ml_engineer"'], {}, 2,
     "sweep -g roles: unbalanced brackets or quotes"),
    # issue 28: silently wrong and unclear cases
    ("survey setting without survey file", [*BUILD, "survey_evidence", "-p", "min_salary_usd",
                                            "50000"], {}, 2,
     "parameter min_salary_usd: 50000 applies only to a survey file read with survey_path"),
    ("survey strict without survey file", [*BUILD, "compensation_bands", "-p",
                                           "survey_strict", "true"], {}, 2,
     "parameter survey_strict: True applies only to a survey file"),
    ("parameter given twice", [*BUILD, "growth_rates", "-p", "horizon_years", "3", "-p",
                               "horizon_years", "9"], {}, 2,
     "parameter horizon_years: given twice (-p horizon_years '3' and -p horizon_years '9')"),
    ("parameter twice in PARAMS", [*BUILD, "growth_rates", "-p", "horizon_years", "3",
                                   "--params=-p horizon_years 9"], {}, 2,
     "parameter horizon_years: given twice"),
    ("JSON key twice", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                        '{"premium": [0.1, 0.2, 0.3], "premium": [0.1, 0.2, 0.4]}'], {}, 2,
     "parameter uncertainty: the key 'premium' appears twice in one object; keep one"),
    ("JSON 50,000 deep dict", [*BUILD, "scenario_baseline", "-p", "uncertainty",
                               "[" * 50_000], {}, 2,
     "parameter uncertainty: nested too deeply"),
    ("JSON 50,000 deep list", [*BUILD, "compensation_bands", "-p", "roles", "[" * 50_000], {},
     2, "parameter roles: nested too deeply"),
    ("JSON unreadable, long", [*BUILD, "compensation_bands", "-p", "roles",
                               "[" + "1," * 20_000], {}, 2,
     "parameter roles: cannot read '[1,1,1,"),
    ("survey JSON 50,000 deep", ["survey-derive", "{tmp}/s.json", "--output-dir", "{out}"],
     {"s.json": "[" * 50_000 + "]" * 50_000}, 2, "s.json: nested too deeply"),
    ("config name with newline", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": 'reports:\n  - {name: "overview\\n", notebook: overview.ipynb, title: t, '
                "summary: s}\n"}, 2, "a name is lower-case letters, digits"),
    ("dry run: output is a file", [*BUILD[:-1], "{tmp}/afile", "growth_rates"],
     {"afile": "x"}, 2, "output folder {tmp}/afile: is a file"),
    ("dry run: output under a file", [*BUILD[:-1], "{tmp}/afile/sub", "growth_rates"],
     {"afile": "x"}, 2, "output folder {tmp}/afile/sub: cannot be created ({tmp}/afile is a "
                        "file)"),
    ("dry run: output not writable", [*BUILD, "growth_rates"], {"@no-write": ""}, 2,
     "output folder {out}: not writable"),
    ("role without a band", [*BUILD, "compensation_bands", "-p", "roles", "prompt_engineer"],
     {}, 2, "parameter roles: 'prompt_engineer' has no salary band (data/salary_bands.csv), "
            "so this report cannot chart it; the 5 roles that have one: ai_research_scientist"),
    ("role without a growth rate", [*BUILD, "growth_rates", "-p", "roles", "ai_ml_engineer"],
     {}, 2, "parameter roles: 'ai_ml_engineer' has no growth rate (data/growth_rates.csv)"),
    ("role unknown, with the count", [*BUILD, "growth_rates", "-p", "roles", "wizard"], {}, 2,
     "parameter roles: no role 'wizard' in data/roles.csv; the 14 role ids: "),
    ("scheduler port out of range", ["sweep", "growth_rates", "--output-dir", "{out}",
                                     "--executor", "dask", "--scheduler", "tcp://host:99999",
                                     "-g", "horizon_years", "2"], {}, 2,
     "--scheduler 'tcp://host:99999': not a scheduler address; expected tcp://HOST:PORT"),
    ("scheduler not an address", ["sweep", "growth_rates", "--output-dir", "{out}",
                                  "--executor", "dask", "--scheduler", "http://a b:1/x", "-g",
                                  "horizon_years", "2"], {}, 2,
     "--scheduler 'http://a b:1/x': not a scheduler address"),
    ("scheduler timeout 0", ["sweep", "growth_rates", "--output-dir", "{out}", "--executor",
                             "dask", "--scheduler", "tcp://127.0.0.1:8786", "--timeout", "0",
                             "-g", "horizon_years", "2"], {}, 2,
     "--timeout 0.0: expected a number of seconds above 0"),
    # the file system
    ("output is a file", ["build", "--output-dir", "{tmp}/afile", "growth_rates"],
     {"afile": "x"}, 2, "output folder {tmp}/afile: is a file"),
    ("output under /proc", ["build", "--output-dir", "/proc/aijobs-out", "growth_rates"], {}, 2,
     "output folder /proc/aijobs-out: cannot be created"),
    ("output not writable", ["build", "--output-dir", "{out}", "growth_rates"],
     {"@no-write": ""}, 2, "output folder {out}: not writable"),
    ("disk full", ["build", "--force", "--output-dir", "{tmp}/fresh", "growth_rates"],
     {"@disk-full": ""}, 2, "No space left on device"),
    # tables checked with aijobs validate
    ("table not UTF-8", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": b"role_id\xff\xfe\n"}, 2, "t.csv: not UTF-8 text (byte 7)"),
    ("table empty", ["validate", "salary_bands", "--file", "{tmp}/t.csv"], {"t.csv": ""}, 2,
     "t.csv: the file is empty"),
    ("table ragged", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": _header_only("salary_bands") + "a,1,2,true,x,USD,annual,s\n"
                                              "a,1,2,3,4,5,6,7,8,9,10\n"},
     2, "t.csv, line 3: 11 fields, the header has 8"),
    ("table folder", ["validate", "salary_bands", "--file", "{tmp}"], {}, 2,
     "is a folder; expected a CSV file"),
    ("table FIFO", ["validate", "salary_bands", "--file", "{tmp}/fifo"], {"fifo": "FIFO"}, 2,
     "fifo: not a regular file"),
    ("table low above high", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": _table_with("salary_bands", "salary_low_usd", "990000")}, 2,
     "salary_low_usd = 990000 but salary_high_usd = 250000"),
    ("table enum", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": _table_with("salary_bands", "currency", "EUR")}, 2,
     "column currency: got 'EUR', not an allowed value; expected one of USD"),
    ("table bool", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": _table_with("salary_bands", "is_open_ended", "maybe")}, 2,
     "column is_open_ended: got 'maybe', not true or false"),
    ("table unknown", ["validate", "salaries"], {}, 2, "no table called 'salaries'"),
    # survey files
    ("survey missing", ["survey-derive", "{tmp}/none.csv", "--output-dir", "{out}"], {}, 2,
     "none.csv: survey file not found"),
    ("survey FIFO", ["survey-derive", "{tmp}/fifo", "--output-dir", "{out}"], {"fifo": "FIFO"},
     2, "fifo: not a regular file"),
    ("survey no salary column", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"],
     {"s.csv": "work_year,job_title\n2024,ML Engineer\n"}, 2,
     "s.csv: missing columns experience_level"),
    ("survey binary", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"],
     {"s.csv": b"\x00\x01\x02\xff" * 10}, 2,
     "s.csv: a binary file, not a table"),
    ("survey UTF-16", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"],
     {"s.csv": "work_year,job_title\n2024,ML Engineer\n".encode("utf-16")}, 2,
     "s.csv: not UTF-8 text but UTF-16 little-endian; save the file as UTF-8"),
    ("survey UTF-16 without a mark", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"],
     {"s.csv": "work_year,job_title\n2024,ML Engineer\n".encode("utf-16-be")}, 2,
     "s.csv: not UTF-8 text but UTF-16 big-endian"),
    ("table UTF-16", ["validate", "salary_bands", "--file", "{tmp}/t.csv"],
     {"t.csv": "role_id,salary_low_usd\n".encode("utf-16")}, 2,
     "t.csv: not UTF-8 text but UTF-16 little-endian; save the file as UTF-8 CSV"),
    ("survey empty", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"], {"s.csv": ""},
     2, "s.csv: the file is empty"),
    ("survey all in the future", ["survey-derive", "{tmp}/s.csv", "--output-dir", "{out}"],
     {"s.csv": FUTURE_SURVEY.format(year=2999)}, 2,
     "s.csv: none of its 2 rows can be used: 2 because work_year is in the future: after "
     "today ("),
    ("survey after its snapshot's date", ["survey-derive", "{tmp}/2025-01-19/salaries.csv",
                                          "--output-dir", "{out}"],
     {"2025-01-19/salaries.csv": FUTURE_SURVEY.format(year=2026)}, 2,
     "salaries.csv: none of its 2 rows can be used: 2 because work_year is in the future: "
     "after the file's date (2025-01-19), so at most 2025 (e.g. line 2); expected at least "
     "one row with"),
    ("survey date", ["survey-derive", str(SURVEY), "--output-dir", "{out}", "--date",
                     "notadate"], {}, 2, "--date: got 'notadate'; expected a date"),
    # the configuration
    ("config duplicate key", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": CONFIG.replace("scenarios:", "scenarios: []\nscenarios:", 1)}, 2,
     "the key 'scenarios' appears twice"),
    ("config not YAML", ["list", "--config", "{tmp}/c.yaml"], {"c.yaml": "reports: [\n"}, 2,
     "c.yaml: not valid YAML"),
    ("config unknown key", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": CONFIG + "\nextra: 1\n"}, 2, "unknown top-level key(s) extra"),
    ("config bad parameter", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": CONFIG.replace("rate: 0.05", "rate: .nan", 1)}, 2, "finite number"),
    ("config missing notebook", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": "reports:\n  - {name: a, notebook: nope.ipynb, title: t, summary: s}\n"}, 2,
     "notebook nope.ipynb not found"),
    ("config scenario choice", ["list", "--config", "{tmp}/c.yaml"],
     {"c.yaml": CONFIG.replace("mode: supply_demand", "mode: supply", 1)}, 2,
     "parameter mode: got 'supply'"),
]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("argv, files, code, words", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_gets_one_line_and_changes_nothing(tmp_path, capsys, monkeypatch, argv,
                                                     files, code, words):
    monkeypatch.setenv("AIJOBS_BUILD_SERVER", "off")  # the patches below act in this process
    out = tmp_path / "out"
    out.mkdir()
    (out / "growth_rates.html").write_text("<html>an earlier good page</html>")
    (out / "survey_percentiles.csv").write_text("an earlier derived table\n")
    for name, content in files.items():
        if name == "@no-write":
            monkeypatch.setattr(os, "access", lambda *a, **k: False)
        elif name == "@disk-full":
            from aijobs.reports import render

            def full(target, content):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
            monkeypatch.setattr(render, "write_atomic", full)
        elif content == "FIFO":
            os.mkfifo(tmp_path / name)
        elif isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        elif "/" in name:  # in a folder of its own (a snapshot's dated folder, say)
            (tmp_path / name).parent.mkdir(parents=True)
            (tmp_path / name).write_text(content)
        else:
            (tmp_path / name).write_text(content)
    before = _snapshot(out)
    def filled(text: str) -> str:
        return text.replace("{tmp}", str(tmp_path)).replace("{out}", str(out))

    args = [filled(a) for a in argv]
    try:
        status = cli.main(args)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    assert status == code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("error: ")
    assert filled(words) in lines[0]
    assert "Traceback" not in err
    assert _snapshot(out) == before


def test_the_table_has_at_least_sixty_inputs():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)


def _readme_make_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```sh\n")[1:]]
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
            if line.startswith("make report NAME=")]


@pytest.mark.slow
@pytest.mark.parametrize("line", _readme_make_lines())
def test_readme_report_examples_work_as_written(tmp_path, line):
    """Each `make report` line of the README, run by a shell through make exactly as printed
    (with DRY=1: parameters checked, nothing built)."""
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    if SURVEY.exists():
        (home / "Downloads" / "salaries.csv").symlink_to(SURVEY)
    else:
        (home / "Downloads" / "salaries.csv").write_text("work_year\n")
    env = {**os.environ, "HOME": str(home)}
    env.pop("PARAMS", None)
    result = subprocess.run(["bash", "-c", f"{line} DRY=1 OUT={tmp_path / 'out'}"], cwd=ROOT,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "dry run: would build" in result.stdout


def test_make_reports_refuses_params(tmp_path):
    result = subprocess.run(["make", "-s", "reports", "PARAMS=-p horizon_years 3",
                             f"OUT={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "error: PARAMS applies to one report: make report NAME=<name> " \
           'PARAMS="-p horizon_years 3"' in result.stderr
    assert not list(tmp_path.iterdir())


def test_make_passes_values_exactly_as_typed(tmp_path):
    """make expands nothing in PARAMS, NAME or OUT, and the shell splits none of them: a
    "$HOME" stays, an OUT with a space and a "$" arrives whole (here: a file, so refused)."""
    odd = tmp_path / "a b $x"
    odd.write_text("a file, not a folder")
    env = {k: v for k, v in os.environ.items() if k not in ("PARAMS", "OUT", "NAME")}
    title = 'Budget $HOME plan "q" $$'
    ok = subprocess.run(["make", "-s", "report", "NAME=scenario_baseline", "DRY=1",
                         f"PARAMS=-p scenario_title {title}", f"OUT={tmp_path / 'out $y'}"],
                        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert ok.returncode == 0, ok.stderr
    assert f"parameters checked: scenario_title={title!r}" in ok.stdout
    refused = subprocess.run(["make", "-s", "report", "NAME=growth_rates", "DRY=1",
                              f"OUT={odd}"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, env=env)
    assert refused.returncode == 2
    assert f"error: output folder {odd}: is a file" in refused.stderr


def test_a_sigterm_while_the_suite_loads_is_one_line(monkeypatch, capsys):
    """SIGTERM arriving while the build imports the suite (about a second after it starts)
    printed a traceback through the import machinery."""
    monkeypatch.setenv("AIJOBS_BUILD_SERVER", "off")

    def terminated_while_importing() -> None:
        raise cli._Terminated

    monkeypatch.setattr(cli, "_load_suite", terminated_while_importing)
    assert cli.main(["build", "growth_rates"]) == 143
    assert capsys.readouterr().err == "terminated; earlier results are unchanged\n"


def test_a_build_that_builds_every_report_starts_its_warm_kernels_first(tmp_path, monkeypatch):
    """`aijobs build` starts its warm-kernel server before it imports the suite (whose imports
    its own then overlap) when every report is surely built: --force, or no build record in
    the output folder. Not for a dry run, a variant (-p), a command a build server runs (its
    own server serves) or cold kernels; with a build record, the build starts it later, once
    it knows something is to be built."""
    import contextlib

    from aijobs.reports import zygote

    monkeypatch.delenv(zygote.SOCKET_VAR, raising=False)
    monkeypatch.delenv(zygote.COLD_VAR, raising=False)

    def early(*argv: str) -> bool:
        args = cli._parser().parse_args(["build", "--output-dir", str(tmp_path), *argv])
        return not isinstance(cli._warm_kernels_early(args), contextlib.nullcontext)

    assert early() and early("growth_rates") and early("--force")
    assert not early("--dry-run")
    assert not early("growth_rates", "-p", "horizon_years", "3")
    assert not early("growth_rates", "--params=-p horizon_years 3")
    (tmp_path / paths.MANIFEST_NAME).write_text("{}")
    assert not early() and early("--force")
    monkeypatch.setenv(zygote.SOCKET_VAR, str(tmp_path / "the-build-server-s.sock"))
    assert not early("--force")
    monkeypatch.delenv(zygote.SOCKET_VAR)
    monkeypatch.setenv(zygote.COLD_VAR, "1")
    args = cli._parser().parse_args(["build", "--force", "--output-dir", str(tmp_path)])
    with cli._warm_kernels_early(args) as server:
        assert server is None


@pytest.mark.parametrize("target, value", [
    ("params", "NAME=growth_rates; touch {mark}"),
    ("params", "NAME=$(shell touch {mark})"),
    ("figures", "NAME=growth_rates; touch {mark}"),
    ("sources-derive", "DATE=2025-01-01; touch {mark}; false"),
    ("sources-derive", 'OEWS=/no/such" ; touch {mark}; false "'),
    ("sources-derive", 'INDEED=$(shell touch {mark})'),
])
def test_make_passes_what_is_typed_as_data_never_as_a_command(tmp_path, target, value):
    """A value typed after a make target reaches aijobs as one word, through the environment:
    make expands nothing and the shell runs nothing in it. aijobs refuses the odd value in
    one line (status 2) and the file the value would have touched is never made."""
    mark = tmp_path / "ran"
    env = {k: v for k, v in os.environ.items() if k not in ("NAME", "DATE", "OEWS", "INDEED")}
    result = subprocess.run(["make", "-s", f"BIN={Path(sys.executable).parent}", "STAMP=",
                             target, value.format(mark=mark)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert not mark.exists(), result.stderr
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize("argv, says", [
    (["build", "-j", "0"], "argument -j/--jobs: got 0; expected 1 or more"),
    (["build", "-j=-1"], "argument -j/--jobs: got -1; expected 1 or more"),
    (["sweep", "growth_rates", "-g", "horizon_years", "3,4", "-j=-3"],
     "argument -j/--jobs: got -3; expected 1 or more"),
    (["build", "growth_rates", "--output-dir="], "argument --output-dir: got an empty path"),
    (["survey-derive", "salaries.csv", "--date", "2099-01-01", "--output-dir", "{tmp}"],
     "--date: got 2099-01-01, a day still to come"),
    (["sources-derive", "--date", "2099-01-01", "--output-dir", "{tmp}"],
     "--date: got 2099-01-01, a day still to come"),
])
def test_counts_folders_and_dates_out_of_range_are_one_line(tmp_path, argv, says):
    """A job count under 1, an empty output folder (it silently meant the default) and a
    recording date still to come are refused in one line, and nothing is written."""
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "aijobs.cli",
                             *[a.format(tmp=out) for a in argv]], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr, result.stderr
    assert not out.exists()


def test_make_params_takes_several_names_as_words():
    """NAME="a b" is two names for make params (split into words, never run)."""
    env = {k: v for k, v in os.environ.items() if k != "NAME"}
    result = subprocess.run(["make", "-s", f"BIN={Path(sys.executable).parent}", "STAMP=",
                             "params", "NAME=growth_rates overview"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    heads = [line.split()[0] for line in result.stdout.splitlines() if line[:1].isalpha()]
    assert heads == ["growth_rates", "overview"]
