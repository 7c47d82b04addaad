"""Instruction search for prompts: OPRO on instructions, reflective rewriting, joint search.

Candidates are prompt dicts ``{"instruction", "demos", "position"}`` (see
``agent.optimizers.ExemplarSearch``). OPRO is the loop's own ``OPRO`` optimizer with the
``opro/instruction`` meta-prompt; this module only adapts it to prompt candidates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import prompts
from agent.core import Candidate, History, Proposal
from agent.errors import ParseError, SettingError
from agent.llm import LLM
from agent.optimizers._base import Optimizer
from agent.optimizers._exemplars import ExemplarSearch, prompt_candidate
from agent.optimizers._opro import OPRO, bucket_score

MAX_INSTRUCTION_CHARS = 400
_INS = re.compile(r"<\s*INS\s*>(.*?)(?:<\s*/\s*INS\s*>|$)", re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{8,300})[\"”]")


def parse_instruction(reply: str) -> str:
    """The instruction in a model reply.

    The text between ``<INS>`` and ``</INS>`` (closing tag optional); small models often skip
    the tags, so next the first double-quoted sentence of at least three words, then a first
    line of three to forty words.

    Raises:
        ParseError: nothing of that shape, or an instruction longer than 400 characters.

    Example:
        >>> parse_instruction("Sure! <INS>Answer with a number.</INS>")
        'Answer with a number.'
        >>> parse_instruction('A better one is "Answer with the number only."')
        'Answer with the number only.'
    """
    reply = reply or ""
    match = _INS.search(reply)
    if match is not None:
        text = " ".join(match.group(1).split())
        if not text:
            raise ParseError("empty instruction between <INS> tags")
    else:
        quoted = [q for q in _QUOTED.findall(reply) if len(q.split()) >= 3]
        lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
        if quoted:
            text = " ".join(quoted[0].split())
        elif lines and 3 <= len(lines[0].split()) <= 40:
            text = lines[0]
        else:
            raise ParseError(
                "no <INS>...</INS>, quoted instruction or short first line in the reply"
            )
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise ParseError(f"instruction is {len(text)} characters (limit {MAX_INSTRUCTION_CHARS})")
    return text


def _instruction_of(candidate: Candidate) -> str:
    if isinstance(candidate, Mapping):
        return str(candidate.get("instruction", ""))
    return str(candidate)


def instruction_opro(
    llm: LLM,
    *,
    task: str,
    baseline: str,
    position: str,
    demos: Sequence[Mapping[str, Any]] = (),
    examples: Sequence[tuple[str, str]] = (),
    candidates_per_step: int = 4,
    top_k: int = 20,
    temperature: float = 1.0,
    max_tokens: int = 96,
    seed: int = 0,
) -> OPRO:
    """The loop's OPRO optimizer, set up to search instructions for a prompt.

    Args:
        llm: the optimizer model.
        task: one line saying what the task is.
        baseline: the starting instruction (evaluated at step 0).
        position: the instruction position every candidate keeps.
        demos: demos every candidate keeps (empty for pure instruction search).
        examples: (question, answer) pairs from train shown in the meta-prompt.
        candidates_per_step, top_k, temperature, max_tokens, seed: OPRO knobs; scores are
            shown as integer accuracies (0-100), bucketed as in the paper.
    """
    fixed = [dict(d) for d in demos]

    def parse(reply: str) -> Candidate:
        return prompt_candidate(parse_instruction(reply), fixed, position)

    shown = [prompts.render("prompt_opt/example", question=q, answer=a) for q, a in examples]
    return OPRO(
        llm,
        parse=parse,
        template="opro/instruction",
        variables={"task": task},
        format_candidate=_instruction_of,
        top_k=top_k,
        candidates_per_step=candidates_per_step,
        temperature=temperature,
        max_tokens=max_tokens,
        score_scale=100.0,
        score_bucket=1.0,
        exemplars=shown,
        initial=[prompt_candidate(baseline, fixed, position)],
        seed=seed,
    )


class ReflectiveRewrite(Optimizer):
    """The optimizer model reads the best prompt's failed examples and rewrites its instruction.

    Needs the objective to put failures in ``artifacts["failures"]`` as
    ``{"question", "target", "output"}`` dicts (``agent.tasks.prompt.PromptObjective`` does).

    Args:
        llm: the optimizer model.
        task: one line saying what the task is.
        baseline: the prompt candidate evaluated first.
        candidates_per_step: rewrites sampled per step.
        max_failures: failed examples shown.
        temperature, max_tokens: sampling of the rewrites.
        seed: seeds the requests (with the step).
    """

    name = "reflective"

    def __init__(
        self,
        llm: LLM,
        *,
        task: str,
        baseline: Mapping[str, Any],
        candidates_per_step: int = 4,
        max_failures: int = 4,
        temperature: float = 0.9,
        max_tokens: int = 96,
        seed: int = 0,
    ) -> None:
        if candidates_per_step < 1:
            raise SettingError(
                f"reflective: candidates_per_step must be >= 1, got {candidates_per_step}"
            )
        if max_failures < 1:
            raise SettingError(f"reflective: max_failures must be >= 1, got {max_failures}")
        if not 0.0 <= temperature <= 2.0:
            raise SettingError(f"reflective: temperature must be in [0, 2], got {temperature}")
        if max_tokens < 1:
            raise SettingError(f"reflective: max_tokens must be >= 1, got {max_tokens}")
        self.llm = llm
        self.task = task
        self.baseline = dict(baseline)
        self.candidates_per_step = candidates_per_step
        self.max_failures = max_failures
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed

    def propose(self, history: History) -> list[Candidate | Proposal]:
        best = history.best
        if best is None:
            return [Proposal(candidate=self.baseline, meta={"source": "baseline"})]
        failures = list(best.artifacts.get("failures", []))[: self.max_failures]
        if not failures:
            return []  # nothing left to fix: the run ends
        text = prompts.render(
            "prompt_opt/reflect",
            task=self.task,
            instruction=_instruction_of(best.candidate),
            score=bucket_score(float(best.score or 0.0), scale=100, bucket=1),
            failures=failures,
        )
        completions = self.llm.complete(
            text,
            n=self.candidates_per_step,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            seed=(self.seed * 1_000_003 + history.step) % (2**31 - 1),
        )
        out: list[Candidate | Proposal] = []
        for completion in completions:
            meta = {"source": "reflect", "raw": completion.text[:500], "parent": best.number}
            try:
                instruction = parse_instruction(completion.text)
            except ParseError as exc:
                out.append(Proposal(skip_reason=f"unparseable reply: {exc}", meta=meta))
                continue
            candidate = dict(best.candidate)
            candidate["instruction"] = instruction
            out.append(Proposal(candidate=candidate, meta=meta))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "candidates_per_step": self.candidates_per_step,
            "max_failures": self.max_failures,
            "temperature": self.temperature,
            "seed": self.seed,
        }


class _BestInstructionExemplars(ExemplarSearch):
    """Exemplar search that carries the instruction of the best trial so far."""

    def instruction_for(self, history: History) -> str:
        best = history.best
        return self.instruction if best is None else _instruction_of(best.candidate)


class JointSearch(Optimizer):
    """Instruction x exemplars: alternate OPRO instruction steps and exemplar-set steps.

    Even steps search demo sets under the best instruction so far; odd steps ask OPRO for
    new instructions and give each the best demo set so far (Wan et al.: the two together beat
    either).

    Args:
        instructions: an OPRO optimizer over prompt candidates (see ``instruction_opro``).
        exemplars: an ``ExemplarSearch`` (its instruction is replaced by the best one).
    """

    name = "joint"

    def __init__(self, instructions: OPRO, exemplars: ExemplarSearch) -> None:
        if not isinstance(instructions, OPRO):
            raise SettingError(f"joint: instructions must be an OPRO, got {instructions!r:.80}")
        if not isinstance(exemplars, ExemplarSearch):
            raise SettingError(f"joint: exemplars must be an ExemplarSearch, got {exemplars!r:.80}")
        self.instructions = instructions
        self.exemplars = _BestInstructionExemplars(
            exemplars.pool,
            instruction=exemplars.instruction,
            position=exemplars.position,
            min_demos=exemplars.min_demos,
            max_demos=exemplars.max_demos,
            candidates_per_step=exemplars.candidates_per_step,
            explore=exemplars.explore,
            include_baseline=exemplars.include_baseline,
            seed=exemplars.seed,
        )

    def propose(self, history: History) -> list[Candidate | Proposal]:
        if history.step % 2 == 0:
            return self.exemplars.propose(history)
        best = history.best
        demos = list(best.candidate.get("demos", [])) if best is not None else []
        out: list[Candidate | Proposal] = []
        for item in self.instructions.propose(history):
            proposal = item if isinstance(item, Proposal) else Proposal(candidate=item)
            if proposal.skip_reason or not isinstance(proposal.candidate, Mapping):
                out.append(proposal)
                continue
            candidate = dict(proposal.candidate)
            candidate["demos"] = demos
            out.append(Proposal(candidate=candidate, meta=dict(proposal.meta or {})))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "instructions": self.instructions.describe(),
            "exemplars": self.exemplars.describe(),
        }
