"""Loaded by pytest before its other plugins (`-p aijobs.devtools.pytest_imports` in
pyproject.toml's addopts): two things that make each test process start faster.

- nbval's import of nbformat skips rfc3987_syntax, as every process that imports aijobs does
  (see aijobs/__init__.py): nbval imports nbformat before any test imports aijobs, and
  `python -c "import nbformat"` took 1.59-1.79 s with it, 0.26-0.29 s without (measured).
- pytest keeps the test modules it has rewritten (for its assert messages) in their
  __pycache__ folders (ignored by git), even when PYTHONDONTWRITEBYTECODE is set. Otherwise
  every test process rewrites and compiles every test module again: collecting the tests
  took 6.0 s against 3.0-3.2 s with them kept (measured).
"""

from __future__ import annotations

import sys

import aijobs  # noqa: F401  (before nbval's nbformat: see above)

sys.dont_write_bytecode = False
