"""Which postings of a salary survey a page summarises, and how: one typed model.

The twelve survey parameters of a page (the file, five filters, the pay measure, how identical
postings count, the smallest cell shown as a finding, the plausible pay range, strictness) are
the fields of `SurveySlice`, declared here once: default, meaning and what is allowed. A
notebook keeps them as plain parameters (papermill sets them) in a block of its `parameters`
cell that is this declaration written out (`parameters_block()`; a test checks every notebook
that reads the survey carries it word for word, and `make params` and the checks run before
a kernel starts read that text), and builds the model from that cell in one call:
`SurveySlice.from_parameters(globals())`.

A value that does not fit is refused with one line naming the parameter, what it got and what
would be right; lists are kept as tuples in canonical form (upper-case two-letter country
codes, sorted years), so two slices that select the same postings compare equal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from aijobs.errors import ParameterError
from aijobs.survey import reader
from aijobs.survey.postings import PAY_MEASURES, REPEAT_POLICIES

LAST_YEAR = 2100


def _declared(default: Any, meaning: str, *, annotation: str = "",
              choices: tuple[str, ...] = (), bounds: tuple[int, int] | None = None,
              pattern: str = "") -> Any:
    """A field of SurveySlice with its parameter declaration (see parameter_line)."""
    spec = {"meaning": meaning, "annotation": annotation, "choices": choices,
            "bounds": bounds, "pattern": pattern}
    return field(default=default, metadata=spec)


@dataclass(frozen=True)
class SurveySlice:
    """The survey file, the postings kept and how they are summarised."""

    survey_path: str = _declared(
        "", "an aijobs.net salaries.csv or .json to recompute the evidence from; empty uses "
            "the committed evidence in data/derived/")
    company_countries: tuple[str, ...] = _declared(
        tuple(reader.DEFAULT_FILTERS["company_countries"]),
        "keep postings of companies in these countries (two-letter ISO codes such as US, GB); "
        "an empty list keeps every country", annotation="list[str]", pattern="[A-Z]{2}")
    residence_countries: tuple[str, ...] = _declared(
        tuple(reader.DEFAULT_FILTERS["residence_countries"]),
        "keep postings for people living in these countries (two-letter ISO codes); empty "
        "keeps all", annotation="list[str]", pattern="[A-Z]{2}")
    experience_levels: tuple[str, ...] = _declared(
        tuple(reader.DEFAULT_FILTERS["experience_levels"]),
        "keep one experience level (EN entry, MI mid, SE senior, EX executive; several need "
        "survey_path); empty keeps all", annotation="list[str]",
        choices=reader.EXPERIENCE_LEVELS)
    employment_types: tuple[str, ...] = _declared(
        tuple(reader.DEFAULT_FILTERS["employment_types"]),
        "keep these employment types (FT full-time, PT part-time, CT contract, FL freelance); "
        "empty keeps all", annotation="list[str]", choices=reader.EMPLOYMENT_TYPES)
    work_years: tuple[int, ...] = _declared(
        tuple(reader.DEFAULT_FILTERS["work_years"]), "keep these work years; empty keeps all",
        annotation="list[int]", bounds=(reader.FIRST_YEAR, LAST_YEAR))
    pay_measure: str = _declared(
        "midpoint", "a posting's pay: midpoint, range_low or range_high of its advertised "
                    "range, or rows (every file row as it is)", choices=PAY_MEASURES)
    repeats: str = _declared(
        "drop", "identical postings: drop (count each distinct advert once, the default) or "
                "keep (each may be another opening)", choices=REPEAT_POLICIES)
    min_n: int = _declared(
        reader.MIN_N, "fewest postings shown as a finding; smaller cells are suppressed",
        bounds=(5, 10_000))
    min_salary_usd: float = _declared(
        reader.MIN_PLAUSIBLE_USD, "with survey_path: yearly pay below this is excluded as "
                                  "implausible", bounds=(1_000, 1_000_000))
    max_salary_usd: float = _declared(
        reader.MAX_PLAUSIBLE_USD, "with survey_path: yearly pay above this is excluded as "
                                  "implausible", bounds=(10_000, 100_000_000))
    survey_strict: bool = _declared(
        False, "stop at the first bad survey row instead of excluding and counting it")

    def __post_init__(self) -> None:
        def keep(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)  # frozen: the canonical form, once

        for name in ("survey_path", "pay_measure", "repeats"):
            if not isinstance(getattr(self, name), str):
                raise _refused(name, getattr(self, name), "text")
        keep("survey_path", self.survey_path.strip())
        lists = {}
        for name in ("company_countries", "residence_countries", "experience_levels",
                     "employment_types", "work_years"):
            value = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
                raise _refused(name, value, "a list (an empty one keeps all)")
            lists[name] = list(value)
        for name, canonical in reader.normalised_filters(**lists).items():
            keep(name, tuple(canonical))
        low, high = _spec("work_years")["bounds"]
        for year in self.work_years:
            if not low <= year <= high:
                raise _refused("work_years", year, f"years from {low} to {high}")
        for name in ("pay_measure", "repeats"):
            choices = _spec(name)["choices"]
            if getattr(self, name) not in choices:
                raise _refused(name, getattr(self, name), "one of " + ", ".join(choices))
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int):
            raise _refused("min_n", self.min_n, "a whole number of postings")
        for name in ("min_n", "min_salary_usd", "max_salary_usd"):
            value = getattr(self, name)
            low, high = _spec(name)["bounds"]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or not low <= value <= high:
                raise _refused(name, value, f"a number from {low:,} to {high:,}")
        if self.min_salary_usd >= self.max_salary_usd:
            raise ParameterError(f"parameter min_salary_usd: got {self.min_salary_usd!r}, "
                                 f"not below max_salary_usd {self.max_salary_usd!r}; expected "
                                 "a minimum below the maximum")
        if not isinstance(self.survey_strict, bool):
            raise _refused("survey_strict", self.survey_strict, "true or false")
        if not self.survey_path:  # the committed evidence: no file is read
            for name in ("min_salary_usd", "max_salary_usd", "survey_strict"):
                value, default = getattr(self, name), _default(name)
                if value != default:
                    raise ParameterError(
                        f"parameter {name}: {value!r} applies only to a survey file read "
                        f"with survey_path (the committed evidence was computed with {name} "
                        f"{default!r}); add -p survey_path <salaries.csv> or leave {name} out")

    @classmethod
    def from_parameters(cls, values: Mapping[str, Any]) -> SurveySlice:
        """The slice a notebook's parameters cell sets (pass `globals()`): its fields are taken
        by name; a missing one is an error naming it."""
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in values]
        if missing:
            raise ParameterError(f"parameters cell: no {', '.join(missing)}; expected the "
                                 "survey parameters block of aijobs.survey.slices "
                                 "(parameters_block())")
        return cls(**{n: values[n] for n in names})

    @property
    def filters(self) -> dict[str, list]:
        """The five filters as survey.reader takes them (an empty list keeps all)."""
        return {"company_countries": list(self.company_countries),
                "residence_countries": list(self.residence_countries),
                "experience_levels": list(self.experience_levels),
                "employment_types": list(self.employment_types),
                "work_years": list(self.work_years)}

    def read(self) -> reader.Survey:
        """The survey file at survey_path, read with this slice's strictness and pay range."""
        if not self.survey_path:
            raise ParameterError("parameter survey_path: empty; expected the path of an "
                                 "aijobs.net salaries.csv or .json to read")
        return reader.read_survey(self.survey_path, strict=self.survey_strict,
                                  min_salary_usd=self.min_salary_usd,
                                  max_salary_usd=self.max_salary_usd)

    def describe(self) -> str:
        """The slice in words: the file, the filters, the pay measure, repeats and min_n."""
        source = (f"the file {self.survey_path}" if self.survey_path
                  else "the committed evidence (data/derived/)")
        repeats = ("identical postings counted once" if self.repeats == "drop"
                   else "identical postings each counted")
        return (f"{source}; {reader.describe_filters(self.filters)}; pay: {self.pay_measure}; "
                f"{repeats}; cells under {self.min_n} postings suppressed")


def _spec(name: str) -> Mapping[str, Any]:
    return SurveySlice.__dataclass_fields__[name].metadata


def _default(name: str) -> Any:
    return SurveySlice.__dataclass_fields__[name].default


def _refused(name: str, value: Any, expected: str) -> ParameterError:
    return ParameterError(f"parameter {name}: got {value!r}; expected {expected}")


def _literal(value: Any) -> str:
    """A default as the parameters cell writes it (JSON lists and text, Python booleans)."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)


def parameter_line(name: str) -> str:
    """One parameter as the `parameters` cell declares it:
    `name[: annotation] = default  # meaning allowed` (see reports.parameters for the allowed
    values' syntax: [min, max], {choices}, /pattern/)."""
    f = SurveySlice.__dataclass_fields__[name]
    spec = f.metadata
    allowed = ("{" + ", ".join(spec["choices"]) + "}" if spec["choices"]
               else f"[{spec['bounds'][0]}, {spec['bounds'][1]}]" if spec["bounds"]
               else f"/{spec['pattern']}/" if spec["pattern"] else "")
    annotation = f": {spec['annotation']}" if spec["annotation"] else ""
    comment = f"{spec['meaning']} {allowed}".rstrip()
    return f"{name}{annotation} = {_literal(f.default)}  # {comment}"


def parameters_block() -> str:
    """The survey parameters as a notebook's `parameters` cell holds them, one a line."""
    return "\n".join(parameter_line(f.name) for f in fields(SurveySlice))
