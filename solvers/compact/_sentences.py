"""The sentences of a problem text: what a compact formulation may quote before its rows.

A formulation may copy a sentence of the problem (a ``> `` line) before the rows that sentence
states. Training data and the decoding grammar split texts here, so a quote the model learned
is always one the grammar admits.
"""

from __future__ import annotations

import functools
import re

#: Words whose final period does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "approx.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9$*•-])")
#: Longest quotable sentence, in characters; a longer one is cut at its last boundary-free end.
MAX_SENTENCE_CHARS = 400


@functools.lru_cache(maxsize=256)
def split_sentences(text: str) -> tuple[str, ...]:
    """The text's sentences (and list items, table rows), stripped, in order, without repeats.

    >>> split_sentences("A shop makes x and y. Each x needs 2.5 hours.\\n- y >= 3")
    ('A shop makes x and y.', 'Each x needs 2.5 hours.', '- y >= 3')
    """
    sentences: list[str] = []
    for line in text.splitlines():
        pieces: list[str] = []
        for piece in _BOUNDARY.split(line.strip()):
            if pieces and pieces[-1].endswith(_ABBREVIATIONS):
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
        for piece in pieces:
            piece = piece.strip()[:MAX_SENTENCE_CHARS]
            if piece and piece not in sentences:
                sentences.append(piece)
    return tuple(sentences)
