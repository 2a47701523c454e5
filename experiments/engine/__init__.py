"""The sweep engine: specs and designs, seeds, the runner, executors, workers, the store."""
