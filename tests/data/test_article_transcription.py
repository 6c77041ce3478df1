"""The transcription of the article into data/ is complete, and in the project's own words.

The numbers below were read off the article by hand, section by section. Each must appear in
the table and column that holds it.
"""

from __future__ import annotations

import os
import re

import pytest

from aijobs import paths
from aijobs.data import tables

# (table, key column, key, value column, value) for every figure the article states.
ARTICLE_FIGURES = [
    # Highest paying (tech hub average), annual USD
    ("salary_bands", "role_id", "ai_research_scientist", "salary_low_usd", 180_000),
    ("salary_bands", "role_id", "ai_research_scientist", "salary_high_usd", 250_000),
    ("salary_bands", "role_id", "ai_ml_engineer", "salary_low_usd", 150_000),
    ("salary_bands", "role_id", "ai_ml_engineer", "salary_high_usd", 220_000),
    ("salary_bands", "role_id", "ai_solutions_architect", "salary_low_usd", 160_000),
    ("salary_bands", "role_id", "ai_solutions_architect", "salary_high_usd", 200_000),
    ("salary_bands", "role_id", "mlops_engineer", "salary_low_usd", 150_000),
    ("salary_bands", "role_id", "mlops_engineer", "salary_high_usd", 190_000),
    ("salary_bands", "role_id", "ai_product_manager", "salary_low_usd", 140_000),
    ("salary_bands", "role_id", "ai_product_manager", "salary_high_usd", 180_000),
    # Fastest growing, percent
    ("growth_rates", "role_id", "ai_agent_developer", "growth_pct", 280),
    ("growth_rates", "role_id", "prompt_engineer", "growth_pct", 220),
    ("growth_rates", "role_id", "ai_ethics_specialist", "growth_pct", 165),
    # Reality check: skills may be outdated in 18 months
    ("market_claims", "claim_id", "skills_shelf_life", "value", 18),
    # Learning paths, months
    ("learning_path_steps", "step_label", "Learn Python", "duration_months_min", 3),
    ("learning_path_steps", "step_label", "Learn Python", "duration_months_max", 6),
    ("learning_path_steps", "step_label", "Learn AI/ML fundamentals", "duration_months_min", 3),
    ("learning_path_steps", "step_label", "Learn AI/ML fundamentals", "duration_months_max", 4),
    ("learning_path_steps", "step_label", "Gain proficiency with AI tools", "duration_months_min",
     2),
    ("learning_path_steps", "step_label", "Gain proficiency with AI tools", "duration_months_max",
     3),
    ("learning_path_steps", "step_label", "Learn to work with AI tools", "duration_months_min", 1),
    ("learning_path_steps", "step_label", "Learn to work with AI tools", "duration_months_max", 2),
    # The three numbered paths
    ("learning_paths", "path_id", "technical", "path_number", 1),
    ("learning_paths", "path_id", "semi_technical", "path_number", 2),
    ("learning_paths", "path_id", "non_technical", "path_number", 3),
]

# Every role the article names, in the article's own wording, and the id it is filed under.
ARTICLE_ROLES = {
    "AI/ML engineers": "ai_ml_engineer", "Prompt engineers": "prompt_engineer",
    "AI product managers": "ai_product_manager", "MLOps specialists": "mlops_engineer",
    "AI trainers and evaluators": "ai_trainer_evaluator",
    "AI ethicists and policy people": "ai_ethics_specialist",
    "AI integration specialists": "ai_integration_specialist",
    "Human-AI collaboration roles": "human_ai_collaboration",
    "AI Research Scientists": "ai_research_scientist", "AI/ML Engineers": "ai_ml_engineer",
    "AI Solutions Architects": "ai_solutions_architect", "MLOps Engineers": "mlops_engineer",
    "AI Product Managers": "ai_product_manager", "AI Agent Developers": "ai_agent_developer",
    "Prompt Engineers": "prompt_engineer", "AI Ethics Specialists": "ai_ethics_specialist",
    "analyst with AI skills": "ai_skilled_analyst", "AI ethicists": "ai_ethics_specialist",
    "AI trainers": "ai_trainer_evaluator", "AI Marketing Specialist": "ai_marketing_specialist",
    "Project manager who understands AI capabilities": "ai_literate_project_manager",
    "AI engineers": "ai_ml_engineer",
}


@pytest.mark.parametrize("table, key_col, key, col, value", ARTICLE_FIGURES,
                         ids=[f"{t}:{k}:{c}" for t, _, k, c, _ in ARTICLE_FIGURES])
def test_article_figure_is_in_data(table, key_col, key, col, value):
    frame = tables.load_table(table)
    row = frame[frame[key_col] == key]
    assert len(row) == 1, f"{table}: no single row with {key_col} = {key!r}"
    assert row[col].iloc[0] == value


def test_every_number_in_the_article_is_listed_above():
    """Guards the list: each number printed in the article is accounted for in ARTICLE_FIGURES."""
    _require_article()
    text = paths.ARTICLE_FILE.read_text(encoding="utf-8")
    found = set()
    for match in re.finditer(r"\$?(\d+)(K)?", text):
        number = int(match.group(1)) * (1000 if match.group(2) else 1)
        found.add(number)
    listed = {v for *_, v in ARTICLE_FIGURES}
    assert found == listed


def test_open_ended_top_only_where_the_article_has_a_plus():
    bands = tables.load_table("salary_bands").set_index("role_id")
    assert bands.index[bands["is_open_ended"]].tolist() == ["ai_research_scientist"]


def test_ongoing_steps_are_marked_not_numbered():
    steps = tables.load_table("learning_path_steps")
    ongoing = steps[steps["is_ongoing"]]
    assert sorted(ongoing["step_label"]) == ["Build projects",
                                             "Deepen knowledge of your own domain"]
    assert ongoing[["duration_months_min", "duration_months_max"]].isna().all().all()


@pytest.mark.parametrize("wording, role_id", ARTICLE_ROLES.items())
def test_every_named_role_is_filed(wording, role_id):
    roles = tables.load_table("roles").set_index("role_id")
    variants = [v.strip() for v in roles.loc[role_id, "name_variants"].split(";")]
    assert wording in variants


def test_groups_depths_and_lists():
    roles = tables.load_table("roles").set_index("role_id")
    # The reality check names these as needing no deep ML knowledge.
    for rid in ("ai_product_manager", "ai_ethics_specialist", "ai_trainer_evaluator"):
        assert roles.loc[rid, "technical_depth"] == "non_technical"
    adjacent = set(roles.index[roles["role_group"] == "ai_adjacent"])
    assert {"ai_trainer_evaluator", "ai_ethics_specialist", "ai_integration_specialist",
            "human_ai_collaboration"} <= adjacent
    skills = tables.load_table("skills")
    assert sorted(skills.loc[skills["is_underrated"], "skill_id"]) == [
        "data_skills", "evaluation_testing", "llm_apis", "prompt_engineering"]
    assert sorted(skills.loc[skills["is_widely_discussed"], "skill_name"]) == [
        "PyTorch", "Python", "TensorFlow"]
    domains = tables.load_table("domain_demand")
    assert sorted(domains.loc[domains["evidence_kind"] == "rising_demand", "domain_id"]) == [
        "creative", "education", "healthcare", "legal"]
    assert len(tables.load_table("trends")) == 4
    entry = tables.load_table("entry_points").set_index("entry_id")
    assert entry["competitiveness_level"].to_dict() == {"junior_ai": 3, "ai_adjacent": 2,
                                                        "ai_augmented": 1}


def _require_article() -> None:
    if not paths.ARTICLE_FILE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI provides ../shared beside the checkout; {paths.ARTICLE_FILE} "
                        "is missing")
        pytest.skip("the article is read from ../shared/seed; not present beside this checkout")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9$%+]+", text.lower())


def test_no_sentence_of_the_article_is_copied():
    """No run of 10 words of the article appears in data/, notebooks/ or the package."""
    _require_article()
    article = _words(paths.ARTICLE_FILE.read_text(encoding="utf-8"))
    n = 10
    grams = {tuple(article[i:i + n]) for i in range(len(article) - n + 1)}
    files = [*paths.DATA_DIR.glob("*"), *paths.NOTEBOOKS_DIR.glob("*.ipynb"),
             *(paths.PROJECT_ROOT / "src").rglob("*.py"), paths.PROJECT_ROOT / "README.md"]
    for f in files:
        if not f.is_file():
            continue
        words = _words(f.read_text(encoding="utf-8"))
        hits = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)
                if tuple(words[i:i + n]) in grams]
        assert not hits, f"{f} repeats the article: {hits[0]!r}"
