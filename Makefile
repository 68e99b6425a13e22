# The two commands a newcomer needs: `make run` and `make test`.
GO ?= go
BIN := bin/hub
PKGS := ./...

.PHONY: run build test vet fmt-check lint bench fit fuzz clean

run: build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/hub

test: vet fmt-check
	@if [ -z "$$HUB_TEST_POSTGRES_URL" ] && [ -z "$$HUB_TEST_POSTGRES_BIN" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
		echo "NOTE: no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin/initdb or initdb on PATH): the PostgreSQL tests will be SKIPPED."; \
		echo "      Install PostgreSQL, or set HUB_TEST_POSTGRES_URL (a running server) or HUB_TEST_POSTGRES_BIN (the folder of initdb) to run them."; fi
	$(GO) test -race -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needs to run on:"; echo "$$out"; exit 1; fi

lint: vet fmt-check
	@$(GO) mod tidy -diff >/dev/null 2>&1 || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

# Speed, memory and answer-quality benchmarks, each against the baseline
# its issue names (Postgres full-text search), measured in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -count 1 -timeout 30m ./bench/

# Refit the engine's decision models and word statistics on the labelled
# corpora (HUB_EVAL_DIR, or ../shared/eval) into the model the hub embeds.
EVAL_DIR ?= $(if $(HUB_EVAL_DIR),$(HUB_EVAL_DIR),../shared/eval)
fit:
	$(GO) run ./cmd/hub kb fit -o knowledge/model.json $(EVAL_DIR)

# Run every fuzzer briefly.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzNormalize -fuzztime 20s ./knowledge/textid/
	$(GO) test -run '^$$' -fuzz FuzzStem -fuzztime 20s ./knowledge/textid/
	$(GO) test -run '^$$' -fuzz FuzzSearch -fuzztime 20s ./knowledge/
	$(GO) test -run '^$$' -fuzz FuzzParseJSON -fuzztime 20s ./knowledge/
	$(GO) test -run '^$$' -fuzz FuzzParseCSV -fuzztime 20s ./knowledge/
	$(GO) test -run '^$$' -fuzz FuzzAppendPGTime -fuzztime 20s ./storage/
	$(GO) test -run '^$$' -fuzz FuzzWebhookHandler -fuzztime 20s ./bots/telegram/
	$(GO) test -run '^$$' -fuzz FuzzSafetext -fuzztime 20s ./internal/safetext/
	$(GO) test -run '^$$' -fuzz FuzzParseRequests -fuzztime 20s ./bots/slack/

clean:
	rm -rf bin
