"""Benchmark datasets: items (question + gold kept apart) and the loaders of public formats.

Example:
    >>> from evals.datasets import detect_format, load_items
    >>> detect_format("mamo_easy_lp.jsonl")           # doctest: +SKIP
    'mamo'
    >>> items = load_items("mamo_easy_lp.jsonl")      # doctest: +SKIP
    >>> items[0].id, items[0].gold.objective          # doctest: +SKIP
    ('1', 10000.0)
"""

from evals.datasets._fingerprint import file_fingerprint, items_fingerprint
from evals.datasets._formats import (
    FORMATS,
    PROMPT_FORMATS,
    detect_format,
    is_prompt_format,
    load_items,
    load_prompt_examples,
)
from evals.datasets._item import GOLD_STATUSES, EvalItem, Gold, GoldStatus
from evals.datasets._labels import label_status, parse_label, parse_number
from evals.datasets._records import Record, Records, read_records

__all__ = [
    "FORMATS",
    "GOLD_STATUSES",
    "PROMPT_FORMATS",
    "EvalItem",
    "Gold",
    "GoldStatus",
    "Record",
    "Records",
    "detect_format",
    "file_fingerprint",
    "is_prompt_format",
    "items_fingerprint",
    "label_status",
    "load_items",
    "load_prompt_examples",
    "parse_label",
    "parse_number",
    "read_records",
]
