# Two entry points back the README: `make run` (set up, then the main job) and
# `make test` (set up, then lint and the whole test suite). Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= results

.PHONY: setup run test lint format bench clean lock repin screenshot notebooks

LOCK   := requirements/lock.txt

# The venv installs the exact versions of $(LOCK) (so "same seed, same bytes" holds on
# every machine of a kind), then the project itself without resolving anything again
# (without setuptools' "Editable installation" notice: it says a folder named like the
# package may shadow it, and here that folder, aimarket/, is the package).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python experiments/open_vs_closed.py --quick --out $(OUT)/open_vs_closed-quick
	$(BIN)/aimarket report $(OUT)/open_vs_closed-quick

test: setup lint
	$(BIN)/python -m pytest -n 2 -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pylint --rcfile pyproject.toml aimarket simulation agents experiments dashboard

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python benchmarks/bench.py

# Refresh the README's picture of the dashboard (compare mode after 24 months, 1400x1000):
# the browser test in headless Chromium
# (Debian: apt-get install chromium chromium-driver), which saves its screenshot there.
screenshot: setup
	CI=true AIMARKET_SCREENSHOT=docs/figures/dashboard.png $(BIN)/python -m pytest -q tests/test_dashboard_browser.py

# Execute every notebook in quick mode and save it with its outputs (commit the result).
notebooks: setup
	$(BIN)/python notebooks/execute.py

# Re-pin the baseline hashes after an intended change of mechanism or calibration; prints
# which frames and columns moved. Commit the result saying why.
repin: setup
	$(BIN)/python tests/baseline_hashes.py --update

# Re-resolve the lock file after changing dependencies in pyproject.toml (needs PyPI).
lock: setup
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lint --extra dask --extra notebooks \
		--extra dashboard --extra ema \
		--python-version 3.11 --no-header -o $(LOCK)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
