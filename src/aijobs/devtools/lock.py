"""The locked versions `make` installs: exact pins kept in pyproject.toml under [tool.aijobs].

`make setup` installs the suite with these pins as pip constraints, so a fresh machine gets the
versions the tests last passed with (constraints, not requirements: a package that one Python
version does not need is simply not installed). The dependency bounds in [project] stay for
people who install the package into their own environment. `make upgrade` installs the newest
versions the bounds allow, writes them here (`python -m aijobs.devtools.lock write`) and runs
the tests.

    python -m aijobs.devtools.lock constraints   # print the pins, one per line
    python -m aijobs.devtools.lock write         # pin what this environment has installed
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from aijobs import paths

PYPROJECT = paths.PROJECT_ROOT / "pyproject.toml"
BLOCK_RE = re.compile(r"(?ms)^\[tool\.aijobs\]\n.*?(?=^\[|\Z)")


def locked_pins(pyproject: Path = PYPROJECT) -> list[str]:
    """The pins of [tool.aijobs] lock, as `name==version` lines."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return list(data.get("tool", {}).get("aijobs", {}).get("lock", []))


def installed_pins() -> list[str]:
    """`name==version` for everything installed in this environment except the suite."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    pins = [line.strip() for line in frozen.splitlines()
            if "==" in line and not line.lower().startswith("aijobs==")]
    return sorted(pins, key=str.lower)


def lock_block(pins: list[str]) -> str:
    body = "".join(f'    "{pin}",\n' for pin in pins)
    return ("[tool.aijobs]\n"
            "# Exact versions `make` installs as pip constraints (Linux, Python 3.11 to 3.13);\n"
            "# `make upgrade` rewrites them. See aijobs/devtools/lock.py.\n"
            f"lock = [\n{body}]\n\n")


def write_lock(pins: list[str], pyproject: Path = PYPROJECT) -> None:
    text = pyproject.read_text(encoding="utf-8")
    block = lock_block(pins)
    text = BLOCK_RE.sub(lambda _: block, text) if BLOCK_RE.search(text) \
        else text.rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n"
    pyproject.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args == ["constraints"]:
        print("\n".join(locked_pins()))
        return 0
    if args == ["write"]:
        pins = installed_pins()
        write_lock(pins)
        print(f"locked {len(pins)} packages in {PYPROJECT.name} [tool.aijobs]")
        return 0
    print("usage: python -m aijobs.devtools.lock constraints|write", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
