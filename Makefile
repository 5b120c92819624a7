GO ?= go
BIN := bin/grants
PKG := ./...

.PHONY: run build test vet lint bench fuzz clean rules

## run: start the whole system (embedded NATS under ./data/nats, SQLite ./data/grants.db, API on 127.0.0.1:8080)
run: build
	./$(BIN) serve

## build: compile the grants binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/grants

## test: vet and every test with the race detector
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKG)

vet:
	$(GO) vet $(PKG)

## lint: gofmt, staticcheck (a pinned version, fetched through the module proxy) and a tidy go.mod
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKG)
	$(GO) mod tidy -diff

## rules: render docs/rules.md from the rule catalogue (aggregates/rulebook)
rules:
	$(GO) generate ./docs

## bench: event store, projection and replay benchmarks, then the HTTP benchmark of the real server (prints raw rates beside ours)
bench: build
	./$(BIN) bench --with-http --duration 5s

clean:
	rm -rf bin data
