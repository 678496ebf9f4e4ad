"""Fit the engine's ranking weights and its answer-or-abstain decision on the knowledge base's own questions.

    python -m benchmarks.engine_fit            # fit, print the constants for bot/engine/search.py, and the scores
    python -m benchmarks.engine_fit --shipped  # the scores of the constants search.py ships with
    python -m benchmarks.engine_fit --keep-ranking  # refit the decision only (after a decision input changed)

Nothing here looks at the dev set while fitting. The data:

* every example question of every entry, held out in turn (fold k removes the k-th question of every entry
  from the index, then asks each of them), in English, in Simplified Chinese and, converted with OpenCC, in
  Traditional Chinese: the right entry is known;
* real-style questions in benchmarks/engine_realistic.txt and engine_realistic_b.txt (two writers, writing
  for this independently of the dev set and of the knowledge base's example questions: casual, describing
  situations, code-switched), with their right entry;
* the off-topic questions in benchmarks/engine_offtopic.txt (written for this, independently of the dev set):
  the engine should abstain.

Ranking: softmax regression of the right entry against all others on FEATURES (non-negative weights, scaled
to sum to 1), on the held-out example questions. Decision: logistic regression of "the best entry is right"
(real-style questions ranked right) against "off-topic", the two classes weighted equally; the held-out
example questions reuse the knowledge base's wording far more than real questions do, so they only join the
decision with HELD_OUT_WEIGHT of the positive side. The floor is then set so that at least TARGET_ABSTAIN of
the everyday off-topic questions abstain (estimated by cross-validation, so the floor is not fitted to the
very questions it is judged on).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from benchmarks.question_files import slug_questions
from bot.engine import KnowledgeIndex, to_traditional
from bot.engine import search as engine
from bot.engine.normalize import clean
from bot.knowledge.entry import Entry
from bot.knowledge.source import load_entries

OFFTOPIC = Path(__file__).with_name("engine_offtopic.txt")
REALISTIC = (
    Path(__file__).with_name("engine_realistic.txt"),
    Path(__file__).with_name("engine_realistic_b.txt"),
)
"""Two writers' real-style questions (the second wrote without seeing the knowledge base's questions)."""
HELD_OUT_WEIGHT = 0.0
"""Share of the decision's positive weight given to held-out example questions (the rest: real-style ones)."""
TARGET_ABSTAIN = 0.90
"""Share of the *everyday* off-topic questions (sections named so) that must abstain. The near misses (another
app's bans, rules or streaming) share most of their words with an entry; they are reported, not fitted to: a
floor that turns all of them away also turns away real questions phrased unlike the knowledge base's own."""


def offtopic_questions() -> list[tuple[str, str]]:
    """(question, section) pairs; the section is the comment heading above it ("English, near misses" ...)."""
    out, section = [], ""
    for line in OFFTOPIC.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            section = line[3:].split(" (")[0]
        elif line and not line.startswith("#"):
            out.append((line, section))
    return out


def realistic_questions() -> list[tuple[str, str, str]]:
    """(question, slug, language group) triples; the group is the first word of the section heading."""
    return [(q, slug, group) for q, slug, group in slug_questions(REALISTIC) if slug]


def folds(entries: Sequence[Entry]) -> Iterator[tuple[list[Entry], list[tuple[str, str, str]]]]:
    """(entries without their k-th example questions, [(held-out question, slug, group)]) for each k."""
    k_max = max((len(q) for e in entries for q in e.questions.values()), default=0)
    for k in range(k_max):
        kept, tests = [], []
        for e in entries:
            questions = {}
            for lang, qs in e.questions.items():
                rest = list(qs)
                if k < len(rest):
                    held = rest.pop(k)
                    tests.append((held, e.slug, lang))
                    if lang == "zh":
                        tests.append((to_traditional(held), e.slug, "zh-Hant"))
                questions[lang] = tuple(rest)
            kept.append(replace(e, questions=questions))
        yield kept, tests


@dataclass
class Case:
    group: str
    target: int | None  # index of the right entry; None = off-topic
    ev: engine.Evidence


def cases(entries: Sequence[Entry]) -> list[Case]:
    out: list[Case] = []

    def add(index: KnowledgeIndex, text: str, slug: str | None, group: str) -> None:
        ev = engine.evidence(index, *engine.question_text(clean(text, simplify=False)))
        if ev is not None:
            out.append(Case(group, index.slugs.index(slug) if slug else None, ev))
        elif slug:  # nothing usable: counts as a miss for the ranking
            nothing = np.zeros((len(index), len(engine.FEATURES)))
            out.append(Case(group, -1, engine.Evidence(nothing, 0.0, 0.0, np.zeros(len(index), dtype=bool))))

    for kept, tests in folds(entries):
        index = KnowledgeIndex.build(kept)
        for text, slug, group in tests:
            add(index, text, slug, group)
    full = KnowledgeIndex.build(entries)
    for text, slug, group in realistic_questions():
        add(full, text, slug, "real: " + group)
    for text, section in offtopic_questions():
        add(full, text, None, "off-topic: " + section)
    return out


def fit_ranking(train: list[Case], steps: int = 600, l2: float = 1e-3) -> np.ndarray:
    """Non-negative softmax-regression weights of FEATURES, scaled to sum to 1."""
    xs = [c.ev.features for c in train if c.target is not None and c.target >= 0]
    ys = [c.target for c in train if c.target is not None and c.target >= 0]
    w = np.full(len(engine.FEATURES), 1.0)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        grad = l2 * w
        for x, y in zip(xs, ys, strict=True):
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += (p @ x - x[y]) / len(xs)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w = np.maximum(w - 0.2 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8), 0.0)
    return w / max(w.sum(), 1e-9)


@dataclass
class Rows:
    """Every case under one ranking: its decision inputs, and what the decision's fit needs to know of it."""

    x: np.ndarray
    right: np.ndarray
    """The best entry is the right one."""
    off: np.ndarray
    """Off-topic."""
    other_app: np.ndarray
    """About another app: never answered, so left out of the decision's fit."""
    real: np.ndarray
    """A real-style question."""
    everyday: np.ndarray
    """An everyday off-topic question (the floor is set on these)."""
    sample: np.ndarray
    """The fit's weight of each case (`_sample_weights`)."""


def decision_rows(data: list[Case], weights: np.ndarray) -> Rows:
    """The cases' decision rows under the ranking `weights`."""
    xs, right, off, other_app = [], [], [], []
    for c in data:
        scores = c.ev.features @ weights
        order = engine.top_entries(scores, 4)
        xs.append(engine.decision_inputs(c.ev, scores, order))
        right.append(c.target is not None and int(order[0]) == c.target and scores[order[0]] > 0)
        off.append(c.target is None)
        other_app.append(engine.about_other_app(c.ev, int(order[0])))
    right_, off_, other_ = np.array(right), np.array(off), np.array(other_app)
    real = np.array([c.group.startswith("real") for c in data])
    everyday = np.array(["everyday" in c.group for c in data])
    sample = _sample_weights(real, right_, off_, other_)
    return Rows(np.array(xs), right_, off_, other_, real, everyday, sample)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def fit_decision(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """Weighted L2 logistic regression (Newton's method). Inputs whose weight comes out negative (the lead
    over the runner-up, when it merely echoes the best score) are dropped and the rest refitted: more
    evidence for the best entry must never lower the confidence."""
    active = np.ones(x.shape[1], dtype=bool)
    while True:
        w = np.zeros(x.shape[1])
        xa = x[:, active]
        wa = np.zeros(xa.shape[1])
        for _ in range(50):
            p = _sigmoid(xa @ wa)
            grad = xa.T @ (weight * (p - y)) + l2 * wa
            hess = (xa * (weight * p * (1 - p))[:, None]).T @ xa + l2 * np.eye(xa.shape[1])
            wa -= np.linalg.solve(hess, grad)
        w[active] = wa
        negative = active & (w < 0)
        negative[0] = False  # the intercept may be anything
        if not negative.any():
            return w
        active &= ~negative


def _sample_weights(
    real: np.ndarray, right: np.ndarray, off: np.ndarray, other_app: np.ndarray
) -> np.ndarray:
    """Per case: real-style questions ranked right share 1 - HELD_OUT_WEIGHT of the positive side, held-out
    example questions ranked right HELD_OUT_WEIGHT, off-topic questions the negative side; 0 for the rest (an
    in-scope question ranked wrong teaches nothing about abstaining, and one about another app is never
    answered)."""
    real = real & ~other_app
    off = off & ~other_app
    held_out = ~real & ~off & ~other_app
    weight = np.zeros(real.size)
    for mask, mass in (
        (real & right, 1.0 - HELD_OUT_WEIGHT),
        (held_out & right, HELD_OUT_WEIGHT),
        (off, 1.0),
    ):
        if mask.any():
            weight[mask] = mass / mask.sum()
    return weight * real.size


def fit(rows: Rows) -> tuple[np.ndarray, float]:
    """Decision weights and the floor."""
    y = rows.right.astype(float)
    dw = fit_decision(rows.x, y, rows.sample)
    # The floor: cross-validated off-topic probabilities, so each is judged by a fit that did not see it
    # (a question about another app abstains whatever its probability).
    order, off_p = _held_out(rows.x, y, rows.sample, np.flatnonzero(rows.off & rows.everyday), seed=0)
    off_p[rows.other_app[order]] = 0.0
    floor = float(np.quantile(off_p, TARGET_ABSTAIN)) + 1e-6
    return dw, max(floor, 0.05)


def _held_out(
    x: np.ndarray, y: np.ndarray, sample: np.ndarray, cases: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `cases` (shuffled with `seed`, in 5 folds) and each one's probability from a decision fitted
    without its fold."""
    order = np.random.default_rng(seed).permutation(cases)
    p = np.empty(order.size)
    at = 0
    for part in np.array_split(order, 5):
        keep = sample.copy()
        keep[part] = 0.0
        p[at : at + part.size] = _sigmoid(x[part] @ fit_decision(x, y, keep))
        at += part.size
    return order, p


def cross_validated_real(rows: Rows, floor: float) -> float:
    """Share of the real-style questions answered right by decisions fitted without them (5 folds)."""
    real = np.flatnonzero(rows.real)
    order, p = _held_out(rows.x, rows.right.astype(float), rows.sample, real, seed=1)
    return int((rows.right[order] & (p >= floor) & ~rows.other_app[order]).sum()) / max(real.size, 1)


def report(data: list[Case], rows: Rows, dw: np.ndarray, floor: float) -> dict[str, float]:
    """Per group of cases: the share answered right (and ranked first), or for off-topic ones abstained."""
    answered = (_sigmoid(rows.x @ dw) >= floor) & ~rows.other_app
    out: dict[str, float] = {}
    for group in sorted({c.group for c in data}):
        sel = np.array([c.group == group for c in data])
        if group.startswith("off-topic"):
            out[group] = float((~answered[sel]).mean())
        else:
            out[group] = float((rows.right[sel] & answered[sel]).mean())
            out[group + " (ranked first)"] = float(rows.right[sel].mean())
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shipped",
        action="store_true",
        help="report the constants in bot/engine/search.py instead of fitting",
    )
    parser.add_argument(
        "--keep-ranking", action="store_true", help="fit the decision only, on the shipped RANK_WEIGHTS"
    )
    args = parser.parse_args(argv)
    data = cases(load_entries())
    if args.shipped or args.keep_ranking:
        weights = engine.RANK_WEIGHTS
    else:
        weights = fit_ranking([c for c in data if not c.group.startswith("real")])
    rows = decision_rows(data, weights)
    if args.shipped:
        dw, floor = engine.DECISION_WEIGHTS, engine.ANSWER_FLOOR
    else:
        dw, floor = fit(rows)
        np.set_printoptions(precision=4, suppress=True)
        print("RANK_WEIGHTS =", repr(np.round(weights, 4)))
        print("DECISION_WEIGHTS =", repr(np.round(dw, 3)), " # of", ", ".join(engine.DECISION_INPUTS))
        print("ANSWER_FLOOR =", round(floor, 3))
    for name, value in report(data, rows, dw, floor).items():
        print(f"{name}: {100 * value:.1f}%")
    if not args.shipped:
        print(
            f"real-style questions answered right, cross-validated: {100 * cross_validated_real(rows, floor):.1f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
