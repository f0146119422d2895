# Set-up and the two entry points of the README: `make demo` and `make test`.
# Everything the project needs is installed here, pinned (constraints.txt,
# tools/versions). System packages are installed with apt-get when root.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# Debian package=the command that shows it is installed. Every server stage 6 starts is here.
SYSTEM_PACKAGES := git=git faketime=faketime nats-server=nats-server redis-server=redis-server \
                   postgresql=postgres
# Where Debian installs commands off PATH (aces searches the same layouts).
DISTRO_BIN_DIRS := /usr/lib/postgresql/*/bin

.PHONY: demo test lint typecheck unit venv system clean buf rust-pin actionlint

# The demo runs on a copy of the example committed at its frozen date (the day after its
# committed vulnerability database), outside this repository: a commit made today would
# make that database stale, and this repository's configuration files would be ancestors.
DEMO_DIR ?= $(or $(TMPDIR),/tmp)/aces-demo

demo: venv buf actionlint
	rm -rf $(DEMO_DIR)
	$(BIN)/python -c 'import sys, pathlib, tests.integration.example_repo as e; e.git_example(pathlib.Path(sys.argv[1]))' $(DEMO_DIR)
	$(BIN)/aces run $(DEMO_DIR)/repo --keep-going || true

test: venv buf actionlint lint typecheck unit

venv: $(STAMP) buf actionlint rust-pin

$(STAMP): pyproject.toml constraints.txt
	@$(MAKE) --no-print-directory system
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do pkg=$${pair%%=*}; cmd=$${pair#*=}; found=""; \
	  command -v $$cmd >/dev/null 2>&1 && found=1; \
	  for f in $(addsuffix /$$cmd,$(DISTRO_BIN_DIRS)); do [ -x "$$f" ] && found=1; done; \
	  [ -n "$$found" ] || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; exit 2; fi; \
	fi

# The example pins Rust 1.95.0 (rust-toolchain.toml). rustup cannot install it offline nor
# `link` a custom toolchain under an official name, so when 1.95.0 is missing and the installed
# stable toolchain is 1.95.0, the toolchain directory is made available under the exact name.
RUST_PIN := 1.95.0

rust-pin:
	@command -v rustup >/dev/null 2>&1 || exit 0; \
	home="$$(rustup show home)"; triple="$$(rustc +stable -vV | sed -n 's/^host: //p')"; \
	if [ ! -e "$$home/toolchains/$(RUST_PIN)-$$triple" ] && \
	   rustc +stable --version | grep -q "^rustc $(RUST_PIN) "; then \
	  ln -s "$$(rustc +stable --print sysroot)" "$$home/toolchains/$(RUST_PIN)-$$triple"; \
	fi

# buf (protobuf lint / breaking), pinned, from the npm registry into .tools/.
BUF_VERSION := 1.75.0
BUF_STAMP   := .tools/.buf-$(BUF_VERSION)

buf: $(BUF_STAMP)

$(BUF_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install buf: apt-get install npm" >&2; exit 2; }
	npm install --prefix .tools --no-save --no-audit --no-fund @bufbuild/buf@$(BUF_VERSION)
	@touch $@

# actionlint (GitHub workflow checker), pinned, built from the Go module proxy into .tools/bin.
# actionlint 1.7.12 needs Go >= 1.25 (Go >= 1.21 fetches that toolchain itself). A machine
# without such a Go (Debian 12's golang-go is 1.19) gets a pinned Go from the same proxy,
# checked against its SHA-256 (scripts/fetch_go_toolchain.py), into .tools/go.
ACTIONLINT_VERSION := 1.7.12
ACTIONLINT_STAMP   := .tools/.actionlint-$(ACTIONLINT_VERSION)
SYSTEM_GO := $(or $(shell command -v go 2>/dev/null),$(wildcard /usr/local/go/bin/go))

actionlint: $(ACTIONLINT_STAMP)

$(ACTIONLINT_STAMP):
	mkdir -p .tools/bin
	@go="$(SYSTEM_GO)"; \
	if [ -z "$$go" ] || ! "$$go" version | grep -Eq 'go1\.(2[1-9]|[3-9][0-9])'; then \
	  go="$$($(PYTHON) scripts/fetch_go_toolchain.py .tools/go)" || exit 2; fi; \
	echo "GOBIN=.tools/bin $$go install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)"; \
	GOBIN="$$(pwd)/.tools/bin" "$$go" install github.com/rhysd/actionlint/cmd/actionlint@v$(ACTIONLINT_VERSION)
	.tools/bin/actionlint -version | head -1 | grep -qx "v$(ACTIONLINT_VERSION)"
	@touch $@

lint: venv
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: venv
	$(BIN)/mypy
	$(BIN)/mypy --strict scripts

unit: venv
	$(BIN)/pytest -n 2

clean:
	rm -rf $(VENV) .aces .pytest_cache .mypy_cache .ruff_cache
