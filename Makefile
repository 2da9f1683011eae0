# Tape — two commands on a fresh Debian machine with only the Swift toolchain:
#   make demo   installs the C libraries if missing, builds in release, runs `tape demo`
#   make test   same bootstrap, then `swift test`
SWIFT ?= swift
DEMO_DIR ?= demo-output

.PHONY: demo test build deps pyenv chromium python pytest fuzz bench clean docs

# Python used by the interop and differential tests (DuckDB, pyarrow, backtesting.py), installed
# from PyPI into $(PYENV) at the exact versions of $(PY_REQUIREMENTS), so that CI changes only when
# Tape does. Tests that need it read TAPE_TEST_PYTHON; `make test` always sets it.
PYENV ?= .venv-test
PY_REQUIREMENTS ?= tools/python/requirements-test.txt

# Installs libzstd-dev, liblz4-dev and pkg-config with apt-get when pkg-config cannot find them.
deps:
	@if ! pkg-config --exists libzstd liblz4 2>/dev/null; then \
		echo "Installing libzstd-dev liblz4-dev pkg-config with apt-get..."; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libzstd-dev liblz4-dev pkg-config >/dev/null; \
	fi
	@pkg-config --exists libzstd liblz4 || { echo "libzstd/liblz4 development files still missing" >&2; exit 1; }

build: deps
	$(SWIFT) build -c release --product tape

demo: build
	$$($(SWIFT) build -c release --show-bin-path)/tape demo $(DEMO_DIR)

# (Re)creates $(PYENV) whenever it was not built from the current $(PY_REQUIREMENTS) (installs
# python3-venv with apt-get when the venv module is missing).
pyenv:
	@if ! cmp -s $(PY_REQUIREMENTS) $(PYENV)/requirements.installed 2>/dev/null; then \
		if ! python3 -c "import venv, ensurepip" 2>/dev/null; then \
			echo "Installing python3 python3-venv with apt-get..."; \
			SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
			$$SUDO apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3 python3-venv >/dev/null; \
		fi; \
		echo "Creating $(PYENV) from $(PY_REQUIREMENTS)..."; \
		python3 -m venv --clear $(PYENV) && \
		$(PYENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(PY_REQUIREMENTS) && \
		cp $(PY_REQUIREMENTS) $(PYENV)/requirements.installed; \
	fi
	@$(PYENV)/bin/python -c "import duckdb, pyarrow, backtesting, pytest, quantstats" || { echo "$(PYENV) is incomplete" >&2; exit 1; }

# Headless Chromium for the `tape report` browser test (Debian's chromium package, installed with
# apt-get when missing; nothing is downloaded at test time).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing chromium with apt-get..."; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@command -v chromium >/dev/null || { echo "chromium still missing" >&2; exit 1; }

test: deps pyenv chromium
	TAPE_TEST_PYTHON=$(abspath $(PYENV))/bin/python $(SWIFT) test
	$(MAKE) pytest

# The `tape` Python package (tools/python): libTapeArrow and the tape CLI built in release, the
# library copied into the package, and the package pip-installed into $(PYENV).
python: deps pyenv
	$(SWIFT) build -c release --product TapeArrow
	$(SWIFT) build -c release --product tape
	cp "$$($(SWIFT) build -c release --show-bin-path)"/libTapeArrow.* tools/python/tape/
	$(PYENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps ./tools/python

# The Python package's pytest suite (tools/python/tests) against debug builds of libTapeArrow and tape.
pytest: deps pyenv chromium
	$(SWIFT) build --product TapeArrow
	$(SWIFT) build --product tape
	BIN="$$($(SWIFT) build --show-bin-path)"; \
		TAPE_LIBRARY="$$BIN/libTapeArrow.so" TAPE_CLI="$$BIN/tape" PYTHONPATH=tools/python \
		$(PYENV)/bin/python -m pytest -q -p no:cacheprovider tools/python/tests

# README's SQL function table, regenerated from the function registry (Sources/TapeQuery/Functions);
# FunctionDocsTests fails until this is run after a function is added or changed.
docs:
	TAPE_UPDATE_DOCS=1 $(SWIFT) test --filter FunctionDocsTests/readmeFunctionTableIsGeneratedFromTheRegistry

bench: deps
	python3 benchmarks/run.py

clean:
	rm -rf .build $(DEMO_DIR)

# libFuzzer on the file reader (tools/fuzz); FUZZ_SECONDS of fuzzing after seeding a corpus.
FUZZ_SECONDS ?= 60
fuzz: build
	cd tools/fuzz && $(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
	mkdir -p tools/fuzz/corpus
	$$($(SWIFT) build -c release --show-bin-path)/tape demo tools/fuzz/corpus --bars 300 >/dev/null
	cd tools/fuzz && SWIFT_BACKTRACE=enable=no ./.build/release/fuzz-reader -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 corpus
