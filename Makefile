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
# Each app keeps its catalog in <app>/locale. Its templates live in templates/<app>/ and
# are linked in for the scan; the portal app also owns the site-wide templates. Needs GNU
# gettext; the compiled .mo files are committed so nobody else does.
MAKEMESSAGES := makemessages -l zh_Hant -s --no-obsolete --no-location -i "migrations/*"
# Packages with their own catalog of run-time messages (worker languages, stored codes),
# kept by hand: hidden from the scan, which would drop the strings it cannot see.
HAND_KEPT_DATASETS := -i "ingest/*.py" -i "datastore/*.py" -i "interop/*.py"
HAND_KEPT_CHALLENGES := -i "judging/*.py"
messages: install
	ln -sfn ../templates portal/_tpl
	cd portal && ../$(BIN)/python ../manage.py $(MAKEMESSAGES) -i "_tpl/datasets/*" -i "_tpl/challenges/*"
	rm portal/_tpl
	ln -sfn ../templates/datasets datasets/_tpl
	cd datasets && ../$(BIN)/python ../manage.py $(MAKEMESSAGES) $(HAND_KEPT_DATASETS)
	rm datasets/_tpl
	ln -sfn ../templates/challenges challenges/_tpl
	cd challenges && ../$(BIN)/python ../manage.py $(MAKEMESSAGES) $(HAND_KEPT_CHALLENGES)
	rm challenges/_tpl
	$(BIN)/python manage.py compilemessages -l zh_Hant --ignore .venv

clean:
	rm -rf $(VENV) var/
