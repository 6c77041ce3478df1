"""The lowest version pyproject.toml allows for each direct dependency, as pip constraints.

`make test-min` installs these into a separate environment and runs the fast tests and one
report build there, so the lower bounds stay true. A lower bound must therefore name a real
release (pip reads 2.2 as 2.2.0).
"""

from __future__ import annotations

import re
import sys
import tomllib

from aijobs import paths

REQUIREMENT_RE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*(.*)$")


def lowest_pins(extras: tuple[str, ...] = ("dev",)) -> list[str]:
    """`name==lower` for every direct dependency (and those of `extras`) with a lower bound."""
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text("utf-8"))
    project = project["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    pins = []
    for requirement in requirements:
        match = REQUIREMENT_RE.match(requirement)
        if not match:
            continue
        name, spec = match.group(1), match.group(3)
        lower = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", spec)
        if lower:
            pins.append(f"{name}=={lower.group(1)}")
    return pins


def main() -> int:
    print("\n".join(lowest_pins()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
