"""The sweep engine.

What to run: the :class:`~aimarket.experiments.engine.spec.Sweep` record (``spec``), its
uncertainties (``uncertainty``), its checks (``checks``) and the
:class:`~aimarket.experiments.engine.plan.Plan` of its runs (``plan``), with ``designs``,
``seeds`` and ``outcomes``. Running it: ``runner``, ``executors``, ``worker``,
``interrupts`` and ``faults``. Keeping the results: the store (``store``: sessions and
writing; ``layout``: the folder's files; ``journal``: the batch journal and damaged
batches; ``encoding``: compact time series; ``results``: reading; ``provenance``: the
code that made them).
"""
