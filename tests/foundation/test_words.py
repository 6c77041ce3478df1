"""Words for numbers (aijobs.words): counts, agreement and directions as people write them."""

from __future__ import annotations

import math

import pytest

from aijobs import words


@pytest.mark.parametrize(("n", "noun", "expected"), [
    (1, "posting", "1 posting"), (0, "posting", "0 postings"), (3, "verdict", "3 verdicts"),
    (1, "usable year", "1 usable year"), (2, "usable year", "2 usable years"),
    (12345, "posting", "12,345 postings"), (2, "country", "2 countries"),
    (2, "day", "2 days"), (2, "analysis", "2 analyses"), (2, "match", "2 matches"),
    (1.5, "year", "1.5 years"), (1.0, "year", "1 year"), (-1, "point", "-1 point"),
    (2, "person", "2 people"),
])
def test_count_reads_as_people_write_it(n, noun, expected):
    assert words.count(n, noun) == expected


def test_count_takes_an_explicit_plural():
    assert words.count(2, "advert (identical postings once)", "adverts (identical postings "
                       "once)") == "2 adverts (identical postings once)"


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (1, 6, "1 of the 6 claims is supported"),
    (4, 6, "4 of the 6 claims are supported"),
    (0, 6, "none of the 6 claims is supported"),
    (6, 6, "all 6 claims are supported"),
    (2, 2, "both claims are supported"),
    (1, 1, "the 1 claim is supported"),
])
def test_n_of_agrees_with_the_part(part, whole, expected):
    assert f"{words.n_of(part, whole, 'claim')} supported" == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "1 verdict changes"),
                                             (3, "3 verdicts change"),
                                             (0, "0 verdicts change")])
def test_count_with_verb(n, expected):
    assert words.count_with_verb(n, "verdict", "changes") == expected


@pytest.mark.parametrize(("singular", "n", "expected"), [
    ("is", 2, "are"), ("was", 2, "were"), ("has", 2, "have"), ("carries", 2, "carry"),
    ("pushes", 2, "push"), ("moves", 2, "move"), ("moves", 1, "moves"), ("rises", 3, "rise"),
])
def test_verb_agrees_with_the_count(singular, n, expected):
    assert words.verb_for(n, singular) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0.05, "rises"), (-0.05, "falls"), (0.0, "is flat"), (math.nan, "is flat"),
])
def test_direction_follows_the_sign(value, expected):
    assert words.direction(value) == expected


def test_direction_tolerance_reads_small_changes_as_level():
    assert words.direction(0.004, words.WIDENS, tolerance=0.005) == "stays the same"
    assert words.direction(0.006, words.WIDENS, tolerance=0.005) == "widens"
    assert words.direction(-0.006, words.WIDENS, tolerance=0.005) == "narrows"


def test_compare_reads_a_against_b():
    assert words.compare(173_300, 135_000) == "higher"
    assert words.compare(135_000, 173_300) == "lower"
    assert words.compare(1.0, 1.0, words.ABOVE) == "level with"
    assert words.compare(0.64, 1.0, words.ABOVE) == "below"


def test_every_or_not_names_the_exceptions():
    subjects = ["AI/ML Engineer", "AI Research Scientist", "MLOps Engineer"]
    text = dict(all_text="pay rises in all {n} roles", none_text="pay rises in no role",
                some_text="pay rises")
    assert words.every_or_not([True, True, True], subjects, **text) == "pay rises in all 3 roles"
    assert words.every_or_not([False, False, False], subjects, **text) == "pay rises in no role"
    assert (words.every_or_not([True, False, True], subjects, **text)
            == "pay rises except in 1 role: AI Research Scientist")
    assert (words.every_or_not([False, False, True], subjects, **text)
            == "pay rises except in 2 roles: AI/ML Engineer and AI Research Scientist")


@pytest.mark.parametrize(("items", "expected"), [
    ([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c"),
])
def test_listing(items, expected):
    assert words.listing(items) == expected


@pytest.mark.parametrize(("fraction", "kw", "expected"), [
    (0.283, {}, "28%"), (0.283, {"digits": 1}, "28.3%"), (0.039, {"signed": True, "digits": 1},
                                                          "+3.9%"),
    (-0.289, {"signed": True, "digits": 1}, "-28.9%"), (-0.0004, {"signed": True}, "0%"),
    (math.nan, {}, "n/a"), (-0.05, {}, "-5%"),
])
def test_percent_text(fraction, kw, expected):
    assert words.percent_text(fraction, **kw) == expected


def test_capitalised_and_times():
    assert words.capitalised("none of the 3 claims is supported") == (
        "None of the 3 claims is supported")
    assert words.times_text(0.642) == "\u00d70.64"
