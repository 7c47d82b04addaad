"""A browser viewer for run folders: ``optagent runs serve`` (extra ``optagent[serve]``).

Lists runs (kind, model, status, best score, calls, cost); a run page draws the best-so-far
curve, which grows live while the run writes its journal, and the trial table with each
candidate, its diff against the previous best and the model's reasoning; eval runs show
accuracy by category and their failures; two runs can be compared. Read-only; binds
127.0.0.1 unless told otherwise.
"""

from agent.serve._app import create_app, plotly_js
from agent.serve._server import serve

__all__ = ["create_app", "plotly_js", "serve"]
