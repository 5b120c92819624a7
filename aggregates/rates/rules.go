package rates

// RuleIDs returns the rule IDs this package enforces.
func RuleIDs() []string { return nil }
