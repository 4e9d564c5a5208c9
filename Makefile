# `make run`: set up and run Redress on embedded defaults (SQLite, filesystem broker, worker+beat).
# `make test`: set up, check the apps' layers (import-linter) and types (mypy), run the tests
# (DATABASE_URL and CELERY_BROKER_URL when set).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
PY := $(VENV)/bin/python
DEV := DJANGO_DEBUG=true

.PHONY: install run test typecheck migrate seed clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEV) $(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "  Redress runs at http://127.0.0.1:$(PORT)/  (staff: http://127.0.0.1:$(PORT)/admin/)"
	@echo "  Emails are written to var/mail/; their links point at $${REDRESS_SITE_URL:-http://127.0.0.1:$(PORT)}."
	@echo "  Stop with Ctrl-C."
	@echo ""
	@$(DEV) exec $(PY) manage.py run_embedded --port $(PORT)

test: install
	$(VENV)/bin/lint-imports
	$(DEV) $(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# mypy with django-stubs over the apps (pyproject.toml [tool.mypy]); settings need debug's defaults.
typecheck: install
	$(DEV) $(VENV)/bin/mypy

clean:
	rm -rf var/ $(VENV)
