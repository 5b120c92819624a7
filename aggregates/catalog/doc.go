// Package catalog holds the static reference data of the grant rules: the
// KA1 mobility activities with their Beneficiary Module codes and allowed
// durations (docs/rules.md section 3), the Ukraine exception's activity limits
// (section 5) and the country lists (section 1). It is pure: no I/O.
package catalog
