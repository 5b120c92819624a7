package catalog

// RuleIDs returns the IDs of the docs/rules.md rules this package enforces.
func RuleIDs() []string {
	ids := make([]string, 0, len(activities)+4)
	for _, e := range activities {
		ids = append(ids, e.Rule)
	}
	return append(ids, "CTRY-PROGRAMME", "CTRY-UK", "UA-STAFF-ACTS", "UA-PUPIL-ACTS")
}
