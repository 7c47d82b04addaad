"""Evaluation runs: benchmark loaders, scoring modes, the runner, reports and benchmarks."""
