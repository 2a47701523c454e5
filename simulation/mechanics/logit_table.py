"""The choice table's arithmetic as compiled loops (:mod:`.kernels`), bit for bit numpy's.

:func:`aimarket.simulation.mechanics.choice.choice_table` builds, for every (group,
current option), the logit probabilities over the options on offer and their cumulative
sum. It runs in three steps: :data:`utility_gaps` (each row's utilities minus the row's
maximum), the exponential (always numpy's: on machines with AVX-512 numpy's vectorized
``exp`` and the C library's differ in the last bit of a few percent of arguments, so a
compiled ``exp`` would change the draws), and :data:`cumulative` (normalise and sum up).

Every compiled step does the same floating-point operations in the same order as the
numpy twin, so the two give the same bytes. The one order that is not obvious is numpy's
sum of a row: ``np.add.reduce`` sums pairwise (blocks of up to 128 entries with eight
accumulators, split in halves above that), and the normaliser is summed over the row laid
out at full width with zeros in place (see ``choice._softmax_rows``); :func:`sum_plan`
spells out that order for a width, and :data:`cumulative` follows it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from aimarket.simulation.mechanics.kernels import Kernel

_BLOCK = 128  # numpy's pairwise-summation block (PW_BLOCKSIZE)
_COMBINE = -1  # a plan step that adds the two sums on top of the stack


@lru_cache(maxsize=64)
def sum_plan(width: int) -> np.ndarray:
    """numpy's pairwise-summation order for a row of ``width`` entries, as a postfix
    program: rows ``(start, length)`` push the sum of that block (at most 128 entries),
    rows ``(-1, -1)`` replace the two sums on top by their sum."""
    steps: list[tuple[int, int]] = []

    def split(start: int, n: int) -> None:
        if n <= _BLOCK:
            steps.append((start, n))
            return
        half = n // 2
        half -= half % 8
        split(start, half)
        split(start + half, n - half)
        steps.append((_COMBINE, _COMBINE))

    split(0, width)
    plan = np.array(steps, dtype=np.int64)
    plan.flags.writeable = False
    return plan


def _gaps_numpy(
    full: np.ndarray, switching_cost: np.ndarray, rows: np.ndarray, out: np.ndarray
) -> None:
    width = full.shape[1]
    # Moving from product c to another product costs k; staying, leaving or first
    # adoption (current = none) is free.
    move = np.ones((width, width), dtype=bool)
    move[0, :] = False
    move[:, 0] = False
    np.fill_diagonal(move, False)
    seg, current = np.divmod(rows, width)
    u = full[seg] - switching_cost[seg, None] * move[current]  # (rows, option)
    top = np.max(u, axis=-1, keepdims=True)
    np.subtract(u, np.where(np.isfinite(top), top, 0.0), out=out)


def _gaps_loop(
    full: np.ndarray, switching_cost: np.ndarray, rows: np.ndarray, out: np.ndarray
) -> None:
    width = full.shape[1]
    for at in range(rows.shape[0]):
        s, c = rows[at] // width, rows[at] % width
        k = switching_cost[s]
        top = 0.0
        for j in range(width):
            x = full[s, j] - (k if (c != 0 and j != 0 and j != c) else 0.0)
            out[at, j] = x
            # the row's maximum; a NaN, once met, stays it (as np.max)
            if j == 0 or (top == top and (x > top or x != x)):
                top = x
        if not np.isfinite(top):
            top = 0.0
        for j in range(width):
            out[at, j] -= top


#: ``utility_gaps(full, k, rows, out)``: for options ``full`` (groups, W) (the outside
#: option first) and switching costs ``k`` (groups,), writes into row i of ``out``
#: (len(rows), W) the utility of each option to a developer of group ``rows[i] // W``
#: currently on option ``rows[i] % W`` (moving between two products costs k), minus the
#: row's largest (0 if not finite).
utility_gaps = Kernel(_gaps_loop, _gaps_numpy)


def _cumulative_numpy(e, rows, columns, width, plan, out) -> None:
    spread = np.zeros((len(e), width))
    spread[:, columns] = e
    total = spread.sum(axis=-1, keepdims=True)
    cdf = np.cumsum(e / np.where(total > 0, total, 1.0), axis=-1)
    # Nothing to choose (every option -inf, outside option switched off): no model.
    cdf[cdf[:, -1] == 0.0] = 1.0
    cdf[:, -1] = 1.0
    out[rows] = cdf


def _cumulative_loop(e, rows, columns, width, plan, out) -> None:
    n_col = e.shape[1]
    row = np.zeros(width)  # the row at full width; positions off ``columns`` stay 0
    stack = np.empty(plan.shape[0])
    r = np.empty(8)
    for at in range(rows.shape[0]):
        for j in range(n_col):
            row[columns[j]] = e[at, j]
        top = 0
        for step in range(plan.shape[0]):
            lo, n = plan[step, 0], plan[step, 1]
            if lo < 0:
                top -= 1
                stack[top - 1] = stack[top - 1] + stack[top]
                continue
            if n < 8:
                total = -0.0
                for i in range(lo, lo + n):
                    total += row[i]
            else:
                r[:] = row[lo : lo + 8]  # eight accumulators
                i = lo + 8
                while i < lo + n - n % 8:
                    for a in range(8):
                        r[a] += row[i + a]
                    i += 8
                total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
                for rest in range(i, lo + n):
                    total += row[rest]
            stack[top] = total
            top += 1
        total = stack[0] if stack[0] > 0 else 1.0
        at_row = rows[at]
        acc = 0.0
        for j in range(n_col):
            acc = e[at, j] / total if j == 0 else acc + e[at, j] / total
            out[at_row, j] = acc
        if acc == 0.0:
            out[at_row, :] = 1.0
        out[at_row, n_col - 1] = 1.0


#: ``cumulative(e, rows, columns, width, plan, out)``: the cumulative logit probabilities
#: of ``e`` (len(rows), W), the exponentials of :data:`utility_gaps`, normalised by their
#: sum over a row ``width`` wide with the W entries at ``columns`` and zeros elsewhere
#: (summed in numpy's order, ``plan = sum_plan(width)``), written to rows ``rows`` of
#: ``out`` (groups * W, W), each ending in exactly 1 (all 1 where nothing can be chosen).
cumulative = Kernel(_cumulative_loop, _cumulative_numpy)
