"""Each scoring mode's comparison of one predicted value with one label, as pure functions.

Every mode reproduces its source's published evaluator; the docstrings quote the repository,
the file, the function and the comparison expression. ``label_text`` is the label exactly as
the file wrote it (MAMO's rule reads the number of decimals written there).

| mode      | source evaluator (repository: file, function)           | a value matches when |
| --------- | -------------------------------------------------------- | --- |
| mamo      | FreedomIntelligence/Mamo: 3.run_code_comp_optimization.py | abs < 10^-max(2, digits) |
|           | (compare_output_with_standard)                           | or rel <= 1e-4 |
| orlm      | Cardinal-Operations/ORLM: eval/execute.py (main)         | integers, rel <= 5% |
| optibench | yangzhch6/ReSocratic: eval_sft_code.py (__main__)        | abs < 1e-4, every value |
| llmopt    | antgroup/LLMOPT: README (no comparison code published)   | equal at 2 decimals |
| strict    | this project                                             | abs <= 1e-6 max(abs, 1) |
"""

from __future__ import annotations

import re
from collections.abc import Callable

MAMO_RELATIVE = 1e-4
MAMO_MIN_DECIMALS = 2
ORLM_TOLERANCE = 0.05
OPTIBENCH_ABSOLUTE = 1e-4
OPTIBENCH_DECIMALS = 5
LLMOPT_DECIMALS = 2
STRICT_RELATIVE = 1e-6
_DECIMALS = re.compile(r"\.(\d*)")

Match = Callable[[float, float, str], bool]


def relative_error(predicted: float, label: float) -> float:
    """``abs(predicted - label) / abs(label)``; infinite for a zero label and another value."""
    diff = abs(predicted - label)
    if label == 0:
        return 0.0 if diff == 0 else float("inf")
    return diff / abs(label)


def label_decimals(label_text: str) -> int:
    """Digits after the decimal point of a label as written (``"57.0"`` -> 1, ``"57"`` -> 0).

    Currency signs, thousands commas and unit words around the number do not count.
    """
    match = _DECIMALS.search(label_text.replace(",", ""))
    return len(match.group(1)) if match else 0


def mamo_match(predicted: float, label: float, label_text: str = "") -> bool:
    """MAMO's rule, from FreedomIntelligence/Mamo
    ``scripts/scripts_optimization/mamo_script_optimization/3.run_code_comp_optimization.py``,
    ``compare_output_with_standard`` (with ``comp``), latest version::

        digit = len(standard_answer.split('.')[1]); if digit <= 2: digit = 2   (2 without '.')
        abs(float_output * 10 ** digit - float(standard_answer) * 10 ** digit) < 1
            or comp(output, standard_answer)
        comp: rate = dif / float(standard_answer)  (dif * 1e-4 for a zero label)
              abs(rate) <= 1e-4

    So: absolute error below one unit of the label's last written decimal (at least two
    decimals), or relative error at most 1e-4; a zero label accepts an absolute error up to 1.
    """
    digit = max(MAMO_MIN_DECIMALS, label_decimals(label_text or repr(float(label))))
    if abs(predicted * 10**digit - label * 10**digit) < 1:
        return True
    diff = abs(predicted - label)
    rate = diff * 1e-4 if label == 0 else diff / label
    return abs(rate) <= MAMO_RELATIVE


def orlm_match(predicted: float, label: float, label_text: str = "") -> bool:
    """ORLM/IndustryOR's rule, from Cardinal-Operations/ORLM ``eval/execute.py``, ``main``
    (``--numerical_err_tolerance`` defaults to 0.05)::

        gt_answer = round(float(gt_answer)); pred_answer = round(float(pred_answer))
        if gt_answer == 0: close_enough = abs(pred_answer) <= args.numerical_err_tolerance
        else: close_enough = abs((pred_answer - gt_answer) / gt_answer) <= tolerance

    Both values are rounded to integers with Python's ``round`` (half to even: 2.5 -> 2).
    A "No Best Solution" label is matched by an answer without an optimum (see ``score_item``).
    """
    gt = round(label)
    pred = round(predicted)
    if gt == 0:
        return abs(pred) <= ORLM_TOLERANCE
    return abs((pred - gt) / gt) <= ORLM_TOLERANCE


def optibench_match(predicted: float, label: float, label_text: str = "") -> bool:
    """OptiBench's rule, from yangzhch6/ReSocratic ``eval_sft_code.py`` (its ``__main__``
    loop over ``eval_line["results"]``; every named value must pass)::

        gt_ans = eval(eval_line["results"][key]); llm_ans = eval(llm_results_dict[key])
        if abs(llm_ans - gt_ans) < 1e-4: continue   else: line_correct = False

    The evaluator asks its model to state each value "round[ed] to 5 decimal places", so
    the prediction is rounded to 5 decimals first.
    """
    return abs(round(predicted, OPTIBENCH_DECIMALS) - label) < OPTIBENCH_ABSOLUTE


def llmopt_match(predicted: float, label: float, label_text: str = "") -> bool:
    """NL4Opt and the other unified JSONL test sets of antgroup/LLMOPT (``question``,
    ``answer``, ``ori``, ``index``). LLMOPT publishes no comparison code (its README counts
    an answer correct when it finds the optimum) and states the labelling rule instead:
    "For ground truth values with more than two decimal places, they will be rounded to two
    decimal places." So both values are rounded to two decimals and must be equal::

        round(predicted, 2) == round(label, 2)
    """
    return round(predicted, LLMOPT_DECIMALS) == round(label, LLMOPT_DECIMALS)


def strict_match(predicted: float, label: float, label_text: str = "") -> bool:
    """This project's strict rule: ``abs(predicted - label) <= 1e-6 * max(abs(label), 1)``."""
    return abs(predicted - label) <= STRICT_RELATIVE * max(abs(label), 1.0) * (1 + 1e-9)


TOLERANCES: dict[str, Match] = {
    "mamo": mamo_match,
    "orlm": orlm_match,
    "optibench": optibench_match,
    "llmopt": llmopt_match,
    "strict": strict_match,
}
