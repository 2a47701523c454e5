"""The developers' month in one pass: entry, withdrawal, reconsideration, choice, tally.

:data:`adopt` runs phase 5 over every developer (``agents/developers.py`` holds the
state and describes the rules) as one compiled loop (:mod:`.kernels`), or as the numpy
operations it replaces. The random numbers are drawn before (three fixed-size uniform
arrays a month), and every step is a comparison, a table look-up or an integer count, so
the two backends make the same choices and counts, bit for bit.
"""

from __future__ import annotations

import numpy as np

from aimarket.simulation.mechanics.choice import NONE, inverse_cdf
from aimarket.simulation.mechanics.kernels import Kernel


def _adopt_numpy(
    aware, current, group, uniforms, rates, available, cdf, state, options, in_market, usage
):
    u_enter, u_reconsider, u_choice = uniforms
    enter, reconsider = rates
    entering = ~aware & (u_enter < enter[group])
    aware |= entering
    in_market += np.bincount(group[entering], minlength=len(in_market))
    withdrawn = current >= 0
    withdrawn[withdrawn] = ~available[current[withdrawn]]
    current[withdrawn] = NONE
    choosing = entering | withdrawn | (aware & (u_reconsider < reconsider[group]))
    idx = np.flatnonzero(choosing)
    rows = group[idx] * cdf.shape[1] + state[current[idx] + 1]
    current[idx] = options[inverse_cdf(cdf, rows, u_choice[idx])]
    used = current >= 0
    n_groups, n_prod = usage.shape
    cells = np.bincount(group[used] * n_prod + current[used], minlength=n_groups * n_prod)
    usage += cells.reshape(n_groups, n_prod)
    return int(used.sum())


def _adopt_loop(
    aware, current, group, uniforms, rates, available, cdf, state, options, in_market, usage
):
    width = cdf.shape[1]
    enter, reconsider = rates[0], rates[1]
    size = 1
    while size < width:  # a power of two >= width, as inverse_cdf pads to
        size *= 2
    adopters = 0
    for i in range(aware.shape[0]):
        g = group[i]
        entering = not aware[i] and uniforms[0, i] < enter[g]
        if entering:
            aware[i] = True
            in_market[g] += 1
        c = current[i]
        withdrawn = c >= 0 and not available[c]
        if withdrawn:
            c = NONE
        if entering or withdrawn or (aware[i] and uniforms[1, i] < reconsider[g]):
            row = g * width + state[c + 1]
            u = uniforms[2, i]
            pos = 0  # the entries before pos are below u (see inverse_cdf)
            step = size
            while step > 1:
                step >>= 1
                if pos + step - 1 < width and cdf[row, pos + step - 1] < u:
                    pos += step
            if pos < width and cdf[row, pos] < u:
                pos += 1
            c = options[pos]
        current[i] = c
        if c >= 0:
            usage[g, c] += 1
            adopters += 1
    return adopters


#: ``adopt(aware, current, group, uniforms, rates, available, cdf, state, options,
#: in_market, usage) -> adopters``: with ``uniforms`` (3, n) this month's draws (entry,
#: reconsideration, choice) and ``rates`` (2, groups) the entry probability and the
#: reconsideration rate, each developer i of group g = ``group[i]`` enters the market if
#: not ``aware`` and ``uniforms[0, i] < rates[0, g]``, drops a product no longer
#: ``available``, and draws from row ``(g, current option)`` of the choice table (``cdf``,
#: ``state``, ``options`` of :class:`~aimarket.simulation.mechanics.choice.ChoiceTable`)
#: with ``uniforms[2, i]`` if it entered, dropped a product or reconsiders
#: (``uniforms[1, i] < rates[1, g]``). Updates
#: ``aware``, ``current`` and ``in_market`` (entrants by group) in place, adds developers
#: by (group, product) to ``usage`` and returns the number using a product.
adopt = Kernel(_adopt_loop, _adopt_numpy)


def _rows_numpy(aware, current, group, uniforms, rates, available, state, width):
    entering = ~aware & (uniforms[0] < rates[0][group])
    on = current >= 0
    withdrawn = on.copy()
    withdrawn[on] = ~available[current[on]]
    choosing = entering | withdrawn | ((aware | entering) & (uniforms[1] < rates[1][group]))
    start = np.where(withdrawn, NONE, current)[choosing]
    return np.unique(group[choosing] * width + state[start + 1])


def _rows_loop(aware, current, group, uniforms, rates, available, state, width):
    wanted = np.zeros(rates.shape[1] * width, dtype=np.bool_)
    for i in range(aware.shape[0]):
        g = group[i]
        entering = not aware[i] and uniforms[0, i] < rates[0, g]
        c = current[i]
        withdrawn = c >= 0 and not available[c]
        if withdrawn:
            c = NONE
        if entering or withdrawn or (aware[i] and uniforms[1, i] < rates[1, g]):
            wanted[g * width + state[c + 1]] = True
    return np.flatnonzero(wanted)


#: ``rows_needed(aware, current, group, uniforms, rates, available, state, width)``: the
#: rows of the choice table (``width`` options, ``state`` as in
#: :class:`~aimarket.simulation.mechanics.choice.ChoiceTable`) that :data:`adopt`, given
#: the same arguments, will draw from, sorted; changes nothing.
rows_needed = Kernel(_rows_loop, _rows_numpy)


def _group_sum_numpy(values: np.ndarray, index: np.ndarray, out: np.ndarray) -> None:
    np.add.at(out, index, values)


def _group_sum_loop(values: np.ndarray, index: np.ndarray, out: np.ndarray) -> None:
    for g in range(values.shape[0]):
        for j in range(values.shape[1]):
            out[index[g], j] += values[g, j]


#: ``group_sum(values, index, out)``: adds row g of ``values`` (rows, columns) to row
#: ``index[g]`` of ``out``, rows in order (``np.add.at``).
group_sum = Kernel(_group_sum_loop, _group_sum_numpy)
