// Package rulebook is the catalogue of every rule the ledger can answer
// with: its ID, the section of the rulebook it belongs to, its source, and
// its title and text in Finnish, Swedish and English.
//
// The catalogue is the one source of the rules. The API serves it at
// GET /v1/rules and /v1/rules/{id}, a problem+json answer's "type" points at
// the rule broken, docs/rules.md is rendered from it by Markdown (go
// generate ./docs), and the tests of package docs fail when the Go code
// cites a rule ID the catalogue lacks or docs/rules.md differs from the
// rendering.
//
// The rules are data embedded from rules/*.json (one file per section),
// the section titles from sections.json, and the prose of the rulebook
// (introductions, the deadline table, the changes) from rulebook.md.tmpl.
// The package is pure: no HTTP, SQL or NATS.
package rulebook
