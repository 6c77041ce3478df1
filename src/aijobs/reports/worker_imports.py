"""What a report worker imports before its first report, loaded once by multiprocessing's
fork server so that every worker forked from it starts with them (see build._worker_context).
"""

from __future__ import annotations

import sys

# as build.run_report does: jsonschema's optional IRI checker costs 0.6 s and is never needed
sys.modules.setdefault("rfc3987_syntax", None)

import jupyter_client.manager  # noqa: E402, F401
import nbclient  # noqa: E402, F401
import nbconvert  # noqa: E402, F401
import papermill  # noqa: E402, F401
from nbconvert import HTMLExporter  # noqa: E402, F401

import aijobs.reports.build  # noqa: E402, F401
import aijobs.reports.kernel  # noqa: E402, F401
