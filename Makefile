# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install system-deps demo test test-all torture fuzz bench model clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Integration tests talk to a real Dovecot; install it from Debian's packages when missing.
# Debian packages the tests use: Dovecot (real IMAP server), zbar (decodes payment QR codes),
# Chromium (renders reminders and the digest), SpamAssassin (scores reminders). Installed when
# root and missing; otherwise the command to run is printed and those tests skip (fail under CI).
DEBS := dovecot-imapd libzbar0 chromium chromium-driver spamassassin openssl

system-deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages for the tests:$$missing (sudo apt-get install$$missing)"; \
	  fi; \
	fi

demo: install
	$(VENV)/bin/mailbot demo

test: install system-deps
	$(PY) -m pytest -q -m "not slow"

test-all: install system-deps
	$(PY) -m pytest -q

# Long runs, kept out of `make test`: kill -9 torture (hundreds of kills, seed printed; set
# SEED=n to replay one) and the deep fuzzing profile.
torture: install system-deps
	MAILBOT_TORTURE_SEED=$${SEED:-$$RANDOM} MAILBOT_TORTURE_KILLS=$${KILLS:-200} $(PY) -m pytest -q -s -m slow tests/test_torture.py

fuzz: install system-deps
	$(PY) -m pytest -q -m slow tests/test_fuzz_mime.py tests/test_hostile_inputs.py

# Retrain the intent model on every labelled reply set (after adding or relabelling replies).
model: install
	$(PY) -m mailbot.replies.train tests/fixtures/replies/*.yaml --out mailbot/data/intent_model.json.gz
	$(PY) -m mailbot.replies.train tests/fixtures/replies/*.yaml --target reason --out mailbot/data/reason_model.json.gz

bench: install system-deps
	$(PY) bench/bench_extract.py
	$(PY) bench/bench_classify.py
	$(PY) bench/bench_tick.py
	$(PY) bench/bench_store.py
	$(PY) bench/bench_load.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache
