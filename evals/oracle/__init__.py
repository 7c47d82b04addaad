"""Oracle check: hand-written formulations of a seeded draw of MAMO EasyLP items, with the
judgement of every disagreement with the benchmark's labels.

Example:
    >>> from evals.oracle import load_oracle
    >>> formulations = load_oracle()
    >>> len(formulations)
    15
"""

from evals.oracle._oracle import (
    JUDGEMENTS,
    MAMO_EASY_LP,
    ORACLE_ROOT,
    load_judgements,
    load_oracle,
    oracle_sample,
)

__all__ = [
    "JUDGEMENTS",
    "MAMO_EASY_LP",
    "ORACLE_ROOT",
    "load_judgements",
    "load_oracle",
    "oracle_sample",
]
