"""Problem families of the data engine: each draws problems with their compact targets.

Importing this package registers every family in ``FAMILIES`` (name -> ``Family``).
"""

from evals.synthetic.families import (
    allocation,  # noqa: F401
    logistics,  # noqa: F401
    operations,  # noqa: F401
    planning,  # noqa: F401
    production,  # noqa: F401  (registers its families)
)
from evals.synthetic.families._api import FAMILIES, Builder, Clause, Draft, Family, family

__all__ = ["FAMILIES", "Builder", "Clause", "Draft", "Family", "family"]
