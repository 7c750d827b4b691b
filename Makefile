# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install system-deps demo test test-all torture bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Integration tests talk to a real Dovecot; install it from Debian's packages when missing.
system-deps:
	@if [ "$$(id -u)" = 0 ] && ! ldconfig -p 2>/dev/null | grep -q libzbar.so; then \
	  echo "installing libzbar0 (Debian package) to decode payment QR codes in tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libzbar0 >/dev/null; \
	fi
	@if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing dovecot-imapd (Debian package) for the integration tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; \
	  else \
	    echo "Dovecot is missing: run 'sudo apt-get install dovecot-imapd' (integration tests need it)"; \
	  fi; \
	fi

demo: install
	$(VENV)/bin/mailbot demo

test: install system-deps
	$(PY) -m pytest -q -m "not slow"

test-all: install system-deps
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) demo-out .pytest_cache
