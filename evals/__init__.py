"""Evaluation runs: benchmark loaders, scoring modes, the runner, reports and benchmarks.

Subpackages:

- ``evals.datasets``: read OptiBench, JSONL question/answer, MAMO, ORLM/IndustryOR and NLP4LP
  files into ``EvalItem`` records (question and gold kept apart), format detected from the
  content; BBH and GSM8K prompt benchmarks go through the prompt task's loaders.
- ``evals.scoring``: the ``mamo``, ``orlm``, ``strict`` and ``optibench`` modes, and the
  per-item verdict with its failure reason (no answer, execution error, infeasible,
  unbounded, wrong value).
- ``evals.synthetic``: random LP/MILP instances from six templates, solved for their optima
  and rendered to text, in the JSONL format.
- ``evals.oracle``: hand-written formulations of a seeded draw of MAMO EasyLP items, with the
  judgement of each disagreement with the labels.
- ``evals.bench``: benchmark scripts that print their figures.

See docs/evals.md.
"""
