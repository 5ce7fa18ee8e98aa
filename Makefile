# The README's two commands are `make run` and `make test`; the rest are for developers.
.PHONY: run test dev bench setup

run:    ## Build the release and serve it on http://127.0.0.1:3000 (SQLite under ./data)
	@scripts/run.sh

test:   ## Every test: fmt, clippy (ssr + wasm), cargo test on SQLite and PostgreSQL, browser tests
	@scripts/test.sh

dev:    ## Rebuild and reload on every change (cargo leptos watch)
	@scripts/setup.sh && . scripts/env.sh && cargo leptos watch

bench:  ## Print the benchmark table
	@scripts/bench.sh

setup:  ## Install the toolchain pieces that are missing
	@scripts/setup.sh
