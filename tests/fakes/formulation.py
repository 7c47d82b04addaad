"""Scripted formulation replies for the Wyndor problem: a good one and one with a typo.

Shared by the formulation-run tests, the CLI tests and the kill-and-resume child.
"""

from __future__ import annotations

import json

GOOD = json.dumps(
    {
        "variables": [{"name": "doors"}, {"name": "windows"}],
        "objective": {"sense": "maximize", "expression": "3*doors + 5*windows"},
        "constraints": [
            {"name": "plant1", "expression": "doors <= 4"},
            {"name": "plant2", "expression": "2*windows <= 12"},
            {"name": "plant3", "expression": "3*doors + 2*windows <= 18"},
        ],
    }
)
#: GOOD with an unknown name in the objective: the agent must correct it in another round.
BAD = GOOD.replace("5*windows", "5*windowz", 1)
PROBLEM = "Wyndor glass: doors earn 3, windows 5; three plants limit production."
