"""Hypothesis settings for the fuzz tests: a bounded profile for CI, a long one for a person to run.

    pytest tests/fuzz                                  # the "ci" profile: a bounded run (~1 min)
    pytest tests/fuzz --hypothesis-profile=long        # 100 times the examples; see docs/security.md
    FUZZ_EXAMPLES=3000 pytest tests/fuzz --hypothesis-profile=long      # or as many as you like

``bench/load/fuzz.py`` runs the long profile and records what it found.

Neither profile keeps an example database in the checkout; a failure prints the ``@reproduce_failure``
blob to replay it. Deadlines are off: the server's own time limit answers slow queries (503), and the
tests' HTTP clients have timeouts, so a hang still fails.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "database": None, "print_blob": True,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture]}
settings.register_profile("ci", max_examples=300, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30000")), **_COMMON)
settings.load_profile("ci")
