"""The article pages' paragraphs that state a count, a direction or a verdict are computed:
each test gives the article's own values (the words the page shows) and values where the
opposite holds, and sees the words change."""

from __future__ import annotations

import pandas as pd

from aijobs import words
from aijobs.analysis import growth_evidence, transforms
from aijobs.data import tables
from aijobs.notebook import article_pages


def test_roles_paragraph_counts_the_roles_and_the_selection():
    roles = tables.load_table("roles")
    text = article_pages.roles_paragraph(roles, roles)
    assert text.startswith("The article names fourteen distinct roles once")
    assert "This page shows" not in text
    # 13 roles, one of them chosen: the count follows the table
    thirteen = roles.iloc[:13]
    text = article_pages.roles_paragraph(thirteen, thirteen.iloc[:1])
    assert "names thirteen distinct roles" in text
    assert "This page shows one of them" in text
    # no role with a second name: no merge example is claimed
    single = pd.DataFrame({"role_name": ["A", "B"], "name_variants": ["As; as", "Bs"]})
    assert article_pages.roles_paragraph(single) == (
        "The article names two distinct roles, each under one name. Each role has its own row, "
        "so every name can be read.")


def test_skills_paragraph_counts_underrated_skills():
    skills = tables.load_table("skills")
    text = article_pages.skills_paragraph(skills)
    assert "(Python, TensorFlow and PyTorch), the author flags four technical skills as " \
           "under-appreciated" in text
    none = skills.assign(is_underrated=False)
    assert "flags no technical skill as under-appreciated" in article_pages.skills_paragraph(none)
    one = skills.assign(is_underrated=skills["skill_id"] == "llm_apis")
    assert "flags one technical skill as under-appreciated" in article_pages.skills_paragraph(one)


def _first_role(months_max):
    return pd.DataFrame({"path_name": [f"P{i}" for i in range(len(months_max))],
                         "months_max": [float(m) for m in months_max]})


def test_shelf_life_paragraph_says_whether_study_fits():
    steps, paths = tables.load_table("learning_path_steps"), tables.load_table("learning_paths")
    first_role = transforms.time_to_first_role(steps, paths)
    text = article_pages.shelf_life_paragraph(18, first_role)
    assert "every path's timed study fits inside that window (the longest, Technical, takes " \
           "up to 10 months)" in text
    # a shelf life shorter than the longest path: the verdict turns
    text = article_pages.shelf_life_paragraph(8, first_role)
    assert "fits" not in text
    assert "the timed study of 1 of the 3 paths runs past that window (Technical: up to 10 " \
           "months)" in text
    text = article_pages.shelf_life_paragraph(1, _first_role([2, 3]))
    assert "both paths run past that window (P0: up to 2 months; P1: up to 3 months)" in text


def _growth(pcts, period="unstated", years=1.0):
    raw = pd.DataFrame({"role_id": [f"r{i}" for i in range(len(pcts))], "growth_pct": pcts,
                        "growth_period": period})
    roles = pd.DataFrame({"role_id": raw["role_id"], "role_name": [f"Role {i}" for i in
                                                                   range(len(pcts))]})
    return transforms.growth_table(raw, roles, years)


def test_growth_intro_counts_roles_and_says_when_no_period_is_given():
    article = transforms.growth_table(tables.load_table("growth_rates"), tables.load_table("roles"))
    text = article_pages.growth_intro(article)
    assert text.startswith("Three roles are singled out as the fastest growing, with percentage "
                           "growth figures from +165% to +280%.")
    assert "**The article does not say over what period.** A figure of +280%" in text
    text = article_pages.growth_intro(_growth([40.0]), from_article=False)
    assert text.startswith("One role is singled out")
    assert "figures +40%." in text and "The growth file does not say" in text
    stated = article_pages.growth_intro(_growth([40.0, 20.0], period="5 years"))
    assert "does not say over what period" not in stated
    assert "Each figure states its period" in stated


def test_compounding_paragraph_follows_the_multiple():
    article = transforms.growth_table(tables.load_table("growth_rates"), tables.load_table("roles"))
    # 3.8 ** 5 = 792.4: hundreds of times
    text = article_pages.compounding_paragraph(article, 5)
    assert text.startswith("Rates this high cannot last: compounded unchanged for 5 years, AI "
                           "Agent Developer's 280% a year gives demand hundreds of times today's "
                           "(x792.4). The projection therefore")
    # 280% over five years is 30.6% a year: 1.306 ** 5 = 3.8, not in the hundreds
    five_years = transforms.growth_table(tables.load_table("growth_rates"),
                                         tables.load_table("roles"), 5.0)
    text = article_pages.compounding_paragraph(five_years, 5)
    assert "hundreds" not in text and "cannot last" not in text
    assert "gives demand 3.8 times today's (x3.8). The projection still" in text
    # 1.5 ** 8 = 25.6: tens of times
    text = article_pages.compounding_paragraph(_growth([50.0]), 8)
    assert "tens of times today's (x25.6)" in text


def test_postings_end_sentence_reads_the_last_days():
    postings = pd.DataFrame({"series": ["All US postings", "All US postings", "Mathematics",
                                        "Software Development"],
                             "date": ["2020-02-01", "2026-08-14", "2024-09-13", "2024-09-13"],
                             "index_sa": [100.0, 101.0, 90.0, 80.0]})
    assert article_pages.postings_end_sentence(postings) == (
        "The sector series end on 13 September 2024, the all-postings series on 14 August 2026.")
    postings.loc[3, "date"] = "2025-01-31"
    assert article_pages.postings_end_sentence(postings).startswith(
        "The sector series end between 13 September 2024 and 31 January 2025")


def test_board_size_sentence_from_the_committed_counts_and_a_shrinking_board():
    board = growth_evidence.board_shares(tables.load_table("derived/survey_mix"),
                                         tables.load_table("derived/survey_years"))
    # distinct adverts: 31 in 2020, 16,775 in 2024 (2025 only partly covered)
    assert article_pages.board_size_sentence(board) == (
        "A share, not a count, because the board itself grew from 31 adverts in 2020 to 16,775 "
        "in 2024, its last full year.")
    shrinking = pd.DataFrame({"work_year": [2021, 2022, 2023], "all_postings": [900, 400, 5],
                              "is_partial": [False, False, True]})
    assert "shrank from 900 adverts in 2021 to 400 in 2022" in \
        article_pages.board_size_sentence(shrinking)


def test_entry_paragraphs_follow_the_ranking():
    entry = transforms.entry_ranking(tables.load_table("entry_points"))
    paths = tables.load_table("learning_paths")
    text = article_pages.entry_intro(entry, paths)
    assert "names three routes into AI work, from the hardest (junior role in AI itself) to the " \
           "easiest (existing role augmented with AI), and three learning paths" in text
    text = article_pages.routes_paragraph(entry)
    assert "hardest first: junior role in AI itself, then AI-adjacent role, then existing role " \
           "augmented with AI. It says most careers in AI begin with the last and easiest, " \
           "existing role augmented with AI (its view; no data here counts where careers " \
           "begin)." in text
    # the opposite order: junior AI roles the easiest, and the usual start no longer the easiest
    flipped = entry.assign(competitiveness_level=entry["competitiveness_level"].max() + 1
                           - entry["competitiveness_level"])
    flipped = transforms.entry_ranking(flipped)
    text = article_pages.routes_paragraph(flipped)
    assert "hardest first: existing role augmented with AI, then AI-adjacent role, then junior " \
           "role in AI itself." in text
    assert "begin with existing role augmented with AI, which is not the easiest route" in text
    assert "and one learning path" in article_pages.entry_intro(entry.iloc[:2], paths.iloc[:1])


def test_bands_intro_counts_roles_and_open_ended_bands():
    bands = tables.load_table("salary_bands")
    text = article_pages.bands_intro(bands)
    assert "The article gives a low and a high annual figure for five roles, as averages for " \
           "the big tech hubs, and marks one band as having no ceiling." in text
    closed = bands.iloc[1:].assign(is_open_ended=False)
    text = article_pages.bands_intro(closed, from_article=False)
    assert "The bands file gives a low and a high annual figure for four roles" in text
    assert "gives every band a ceiling" in text and "no ceiling" not in text
    both = bands.assign(is_open_ended=True)
    assert "marks five bands as having no ceiling" in article_pages.bands_intro(both)


def test_spelled_counts_and_multiples():
    assert words.spelled_count(14, "role") == "fourteen roles"
    assert words.spelled_count(1, "band") == "one band"
    assert words.spelled_count(0, "band") == "no bands"
    assert words.spelled_count(31, "advert") == "31 adverts"
    assert words.multiple_text(792.4) == "hundreds of times"
    assert words.multiple_text(3.8) == "3.8 times"
    assert words.multiple_text(1500) == "thousands of times"
    assert words.multiple_text(0.9) == "no more than"


def test_period_notes_say_whether_the_source_states_a_period():
    unstated = _growth([100.0])
    periods = transforms.period_range(unstated, 2, 0.0)
    # +100% read over 1 year: x2 a year, x4 after 2 years; read over 5 years (the longest
    # period of the range): 2 ** (1/5) = 1.149 a year, 1.149 ** 2 = x1.32 after 2 years
    (note,) = article_pages.period_range_notes(periods, unstated, 2, 0.0)
    assert note == ("Role 0: after 2 years (growth slowing by 0% a year), demand is x1.3 to x4.0 "
                    "today's, depending on the period; the article does not say over what period.")
    stated = _growth([100.0], period="2 years")
    (note,) = article_pages.period_range_notes(transforms.period_range(stated, 1, 0.0), stated, 1,
                                               0.0, from_article=False)
    assert note.startswith("Role 0: after 1 year (") and note.endswith(
        "; the growth file states 2 years.")
    assert "does not say" not in note


def test_the_charts_reading_names_the_setting_in_words():
    assert article_pages.charts_reading(None, "the setting X").endswith(
        "change the setting X to chart another.")
    assert article_pages.charts_reading(2.0, "the setting X") == (
        "Charts below: the figures read as growth over 2 years (set by the setting X).")
    assert "over 1 year (" in article_pages.charts_reading(1.0)
    assert "_" not in article_pages.growth_intro(_growth([40.0]))
