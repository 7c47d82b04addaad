"""A synthetic benchmark: random LP/MILP instances from templates, solved by solvers/ for
their optima, rendered to text by templates in prompts/evals/synthetic/, written as JSONL.

Example:
    >>> from evals.synthetic import generate, write_jsonl
    >>> rows = generate(6, seed=0)
    >>> [row["template"] for row in rows][:3]
    ['production_mix', 'diet', 'transport']
"""

from evals.synthetic._generate import MAX_ATTEMPTS, generate, write_jsonl
from evals.synthetic._templates import BUILDERS, SIZES, TEMPLATES, Instance

__all__ = ["BUILDERS", "MAX_ATTEMPTS", "SIZES", "TEMPLATES", "Instance", "generate", "write_jsonl"]
