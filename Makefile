GO ?= go
BIN := bin/grants
PKG := ./...

.PHONY: run build test vet lint bench bench-cluster cluster-up cluster-down fuzz clean rules demo faults

## run: start the whole system (embedded NATS under ./data/nats, SQLite ./data/grants.db, API on 127.0.0.1:8080)
run: build
	./$(BIN) serve

## demo: load a realistic, reproducible data set into the running `make run` (through its API) and print sign-in tokens for the three roles
demo: build
	@OFFICE=$$(./$(BIN) token create --role national-office --name demo-officer) && \
	ANALYST=$$(./$(BIN) token create --role analyst --name demo-analyst) && \
	SCHOOL=$$(./$(BIN) token create --role beneficiary --org E10000001 --name demo-coordinator) && \
	GRANTS_API_TOKEN=$$OFFICE ./$(BIN) demo && \
	printf '\nOpen %s/ and sign in with one of these tokens:\n  national office: %s\n  analyst:         %s\n  coordinator of E10000001: %s\n' "$${GRANTS_API_URL:-http://127.0.0.1:8080}" "$$OFFICE" "$$ANALYST" "$$SCHOOL"

## build: compile the grants binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/grants

## test: vet and every test with the race detector
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKG)

vet:
	$(GO) vet $(PKG)

## faults: the fault tests' long versions (minutes; test runs the short ones): grants serve instances killed
## (kill -9) under load, NATS nodes of a three-node cluster stopped, a full and a read-only disk; each prints
## its counts (acknowledged, found, lost, duplicated)
faults:
	GRANTS_FAULTS=long $(GO) test -race -count=1 -timeout 60m -v -run 'Fault' ./cmd/grants

## contract: the OpenAPI contract checks alone (the document, descriptions, ID patterns, enums, and a
## client generated with a pinned oapi-codegen that must compile with plain value types for required
## fields and no Go package in a type name); test runs them too
.PHONY: contract
contract:
	$(GO) test -count=1 -run 'Contract|OpenAPI|GeneratedClient|EverySchema|FieldDocs|IDPatterns|Enumerated|RequiredFields' ./api

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
	./$(BIN) bench --with-http --duration 5s --runs 3 --replay-runs 3
	@if [ -n "$(CLUSTER)" ]; then ./$(BIN) bench --cluster --duration 5s --runs 3; fi

## bench-cluster: the cluster benchmark alone (grants bench --cluster): three nats-server nodes, raw R3 publish,
## then report-mobility through 1 and 3 grants serve instances, with the CPU of each side and the bottleneck;
## `make bench CLUSTER=1` runs it after the others
bench-cluster: build
	./$(BIN) bench --cluster --duration 5s --runs 3

## cluster-up / cluster-down: the local three-node NATS cluster of scripts/cluster.sh (state in ./data/cluster)
cluster-up:
	scripts/cluster.sh up
cluster-down:
	scripts/cluster.sh down

clean:
	rm -rf bin data
