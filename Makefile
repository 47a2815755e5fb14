# Two commands from a fresh clone: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo test lint format messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py serve 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed so
# nobody else does.
# Each app keeps its catalog in <app>/locale; its templates live in templates/<app>/ (the
# portal app also owns the site-wide templates), linked in for the scan.
messages: install
	set -f; for app in portal datasets challenges; do \
	  ln -sfn ../templates $$app/_tpl; \
	  ignore="-i _tpl/datasets/* -i _tpl/challenges/* -i _tpl/portal/*"; \
	  [ $$app = portal ] && ignore="-i _tpl/datasets/* -i _tpl/challenges/*"; \
	  [ $$app != portal ] && ignore="$$ignore -i _tpl/*.html -i _tpl/allauth/*"; \
	  (cd $$app && mkdir -p locale && ../$(BIN)/python ../manage.py makemessages -l zh_Hant -s \
	    --no-obsolete --no-location -i "migrations/*" $$ignore); \
	  rm $$app/_tpl; \
	done
	$(BIN)/python manage.py compilemessages -l zh_Hant --ignore .venv

clean:
	rm -rf $(VENV) var/
