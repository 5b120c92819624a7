package rates

// RuleIDs returns the IDs of the docs/rules.md rules this package enforces.
func RuleIDs() []string {
	return []string{
		"BUD-RATES-DATA", "BUD-TRAVEL-BAND", "BUD-TRAVEL-DAYS", "BUD-INDIVIDUAL",
		"BUD-EXC-TRAVEL", "BUD-PREP-VISIT", "BUD-ORG-SUPPORT", "BUD-LINGUISTIC", "ACT-COURSE",
		"KA210-LUMP", "KA220-LUMP",
		"UA-SCOPE", "UA-ORG-SUPPORT", "UA-LINGUISTIC", "UA-INDIVIDUAL", "UA-INCLUSION",
	}
}
