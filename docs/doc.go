// Package docs holds the project's documentation and no code. Its tests
// keep the documentation honest: RULES.md must have a row for every rule ID
// the Go code cites, and no file may link outside the repository.
package docs
