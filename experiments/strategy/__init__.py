"""Strategy analysis: which release policy each firm would choose.

Empirical games (``spec``: the game spec; ``game``: running it on the sweep engine and
reading its payoffs back; ``equilibria``: pure and mixed equilibria, best responses,
regret and their probabilities under seed noise; ``figures`` and ``report``; ``cli``:
``aimarket game``) and policy search (``search_spec``, ``optimize``, ``search_cli``:
``aimarket optimize``). See docs/strategy.md.
"""
