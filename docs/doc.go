// Package docs holds the project's documentation and no code. Its tests
// keep the documentation honest: the rule catalogue (aggregates/rulebook)
// must hold every rule ID the Go code cites, docs/rules.md must be the
// catalogue's rendering, and no file may link outside the repository.
package docs

//go:generate go run ../aggregates/rulebook/render -o rules.md
