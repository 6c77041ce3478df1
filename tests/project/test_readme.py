"""The README's claims about the suite are true: every make target and variable it names is
in the Makefile (and every documented target and every variable the Makefile reads is in the
README), every `aijobs` command it shows parses with options that exist, and every file path it
names exists. Fast: nothing is built or run but `aijobs <command> --help`."""

from __future__ import annotations

import re
import shlex

import pytest

from aijobs import cli, paths

ROOT = paths.PROJECT_ROOT
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENGINE = (ROOT / "docs" / "engine.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, flags=re.M))


def documented_targets() -> set[str]:
    return set(re.findall(r"^## ([a-z][a-z-]*):", MAKEFILE, flags=re.M))


def variables_read() -> set[str]:
    """Variables the Makefile reads that a user may set: those it reads ($(X), $(value X)),
    less the ones it computes itself (X = ..., X := ...) and make's own."""
    used = set(re.findall(r"\$\((?:value )?([A-Z][A-Z_]*)\)", MAKEFILE))
    computed = set(re.findall(r"^(?:export )?([A-Z][A-Z_]*) :?= ", MAKEFILE, flags=re.M))
    return used - computed - {"MAKE", "MAKEFILE_LIST"}


def readme_variables() -> set[str]:
    rows = re.findall(r"^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|", README, flags=re.M)
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row)}


def test_every_make_target_the_readme_names_exists_and_every_documented_one_is_named():
    code = "\n".join(re.findall(r"```sh\n(.*?)```", README, flags=re.S)
                     + re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.S)))
    named = set(re.findall(r"(?:^|\s|`)make ([a-z][a-z-]*)\b", code, flags=re.M))
    assert named and named <= make_targets(), f"not in the Makefile: {named - make_targets()}"
    missing = documented_targets() - named - {"help"}  # `make` alone is help
    assert not missing, f"documented in the Makefile but not in the README: {missing}"


def test_the_readme_documents_every_variable_the_makefile_reads_and_no_other():
    assert readme_variables() == variables_read()


def test_variables_in_make_commands_are_read_by_the_makefile():
    for line in re.findall(r"\bmake [a-z][a-z-]*(?: [A-Z_]+=\S+)+", README):
        for name in re.findall(r" ([A-Z_]+)=", line):
            assert name in variables_read(), f"{line}: the Makefile reads no {name}"


def aijobs_commands() -> list[list[str]]:
    """Every `aijobs ...` command line the README shows, in code blocks and inline code."""
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    lines = [ln for b in blocks for ln in b.replace("\\\n", " ").splitlines()]
    lines += re.findall(r"`((?:\.venv/bin/)?aijobs [^`\n]+)`",
                        re.sub(r"```.*?```", "", README, flags=re.S))
    out = []
    for line in lines:
        line = line.split(" # ")[0].strip()
        if re.match(r"(?:\.venv/bin/)?aijobs ", line):
            out.append(shlex.split(line)[1:])
    return out


def test_every_aijobs_command_shown_uses_a_command_and_options_that_exist(capsys):
    commands = aijobs_commands()
    assert len(commands) >= 5
    helps: dict[str, str] = {}
    for argv in commands:
        sub = argv[0]
        if sub.startswith("-"):  # `aijobs --help`
            with pytest.raises(SystemExit) as done:
                cli.main([sub])
            assert done.value.code == 0, f"aijobs {sub}: not an option"
            capsys.readouterr()
            continue
        if sub not in helps:
            with pytest.raises(SystemExit) as done:
                cli.main([sub, "--help"])
            assert done.value.code == 0, f"aijobs {sub}: no such command"
            helps[sub] = capsys.readouterr().out
        for option in (a for a in argv[1:] if a.startswith("--")):
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helps[sub]), \
                f"aijobs {' '.join(argv)}: {option} is not an option of aijobs {sub}"


# Paths a build or a user makes, not the repository: reports/ and what is in it, .venv*
MADE = re.compile(r"^(reports/|\.venv|\.ci/|\.\./shared)")


@pytest.mark.parametrize("document", ["README.md", "docs/engine.md"])
def test_every_file_path_named_exists(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    path = r"(?:src|data|notebooks|tests|docs|aijobs)/[^`\s]*|[\w.-]+\.(?:toml|lock|md)"
    named = set(re.findall(rf"`({path})`", text))
    named |= set(re.findall(r"\]\(((?:\.\./)?[\w./-]+\.md)\)", text))
    checked = 0
    for name in sorted(named):
        if MADE.match(name) or any(c in name for c in "<>*{}") or name.endswith("..."):
            continue
        base = ROOT / "docs" if document.startswith("docs/") and name.startswith("../") else ROOT
        where = (base / name) if not name.startswith("aijobs/") else ROOT / "src" / name
        assert where.exists() or (ROOT / "data" / name).exists(), f"{document} names {name}"
        checked += 1
    assert checked >= 5



def organisation(engine: str) -> dict[str, str]:
    """docs/engine.md's "How the code is organised" tree: what each entry says, keyed by the
    entry's name column ('data/', 'cli.py', ...); foundation files share one description."""
    block = engine.split("## How the code is organised", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        if not line.startswith("  "):
            continue
        name_col, _, description = line[2:].partition("   ")
        if name_col.strip():
            current = name_col.strip()
            entries[current] = ""
        entries[current] += " " + description.strip()
    return entries


def tree_problems(engine: str) -> list[str]:
    """Where the doc's tree and src/aijobs differ: a folder or top-level module missing from
    either, a file named that is not there, a module in a folder the doc does not mention."""
    package = ROOT / "src" / "aijobs"
    entries = organisation(engine)
    folders = {name[:-1] for name in entries if name.endswith("/")}
    top_files = {f for name in entries if not name.endswith("/") for f in name.split()}
    on_disk = {p.name for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    problems = [f"src/aijobs/{f}/ is not in the tree" for f in sorted(on_disk - folders)]
    problems += [f"the tree names {f}/, which is not there" for f in sorted(folders - on_disk)]
    problems += [f"src/aijobs/{m} is not in the tree" for m in sorted(modules - top_files)]
    problems += [f"the tree names {m}, which is not there" for m in sorted(top_files - modules)]
    for folder in sorted(folders & on_disk):
        text = entries[folder + "/"]
        for named in re.findall(r"[\w/.-]+\.(?:py|j2|css|js|json)\b", text):
            top = named.split("/", 1)[0]
            where = package / named if "/" in named and top in on_disk else \
                package / folder / named
            if not where.exists():
                problems.append(f"the tree names {folder}/{named}, which is not there")
        for module in sorted((package / folder).glob("*.py")):
            if module.name != "__init__.py" and not re.search(rf"\b{module.stem}\b", text):
                problems.append(f"the tree does not describe {folder}/{module.name}")
    return problems


def test_engine_doc_tree_matches_the_package():
    assert tree_problems(ENGINE) == [], "docs/engine.md, How the code is organised"


def test_engine_doc_tree_check_sees_a_missing_or_stale_entry():
    assert tree_problems(ENGINE.replace("explorer.py: live", "live")) == \
        ["the tree does not describe lab/explorer.py"]
    assert tree_problems(ENGINE.replace("coverage.py", "coverage.py, gone.py")) == \
        ["the tree names reports/gone.py, which is not there"]
    assert "src/aijobs/lab/ is not in the tree" in \
        tree_problems(ENGINE.replace("  lab/   ", "  lib/   "))
