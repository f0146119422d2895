# Set-up and the two entry points of the README: `make demo` and `make test`.
# Everything the project needs is installed here, pinned (constraints.txt,
# tools/versions). System packages are installed with apt-get when root.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
SYSTEM_PACKAGES := git

.PHONY: demo test lint typecheck unit venv system clean buf

demo: venv buf
	$(BIN)/aces run examples/arqonbus-mini --keep-going || true

test: venv buf lint typecheck unit

venv: $(STAMP) buf

$(STAMP): pyproject.toml constraints.txt
	@$(MAKE) --no-print-directory system
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; exit 2; fi; \
	fi

# buf (protobuf lint / breaking), pinned, from the npm registry into .tools/.
BUF_VERSION := 1.75.0
BUF_STAMP   := .tools/.buf-$(BUF_VERSION)

buf: $(BUF_STAMP)

$(BUF_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install buf: apt-get install npm" >&2; exit 2; }
	npm install --prefix .tools --no-save --no-audit --no-fund @bufbuild/buf@$(BUF_VERSION)
	@touch $@

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -n 2

clean:
	rm -rf $(VENV) .aces .pytest_cache .mypy_cache .ruff_cache
