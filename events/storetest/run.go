package storetest

import "testing"

// Run runs every case of the suite against the stores f opens.
func Run(t *testing.T, f Factory) {
	cases := []struct {
		name string
		fn   func(*testing.T, Factory)
	}{
		{"StaleVersionConflictsWithActualVersion", staleVersionConflicts},
		{"EmptyAggregateExpectedButNotEmptyConflicts", expectedEmptyConflicts},
		{"ConcurrentWritersOnOneAggregateGetGaplessVersions", concurrentWriters},
		{"IdempotentRetryWritesNothingAndReturnsSameEvents", idempotentRetry},
		{"IdempotencyKeyOfAnotherAggregateIsRefused", idempotencyOtherAggregate},
		{"IdempotencyKeyOfAnotherRequestIsRefused", idempotencyOtherRequest},
		{"RacingAppendsUnderOneKeyWriteOnce", racingAppendsUnderOneKey},
		{"OrgWideAppendConflictsWhenSameOrgMoved", orgWideConflict},
		{"OrgWideAppendIgnoresOtherOrganisations", orgWideOtherOrg},
		{"EventsSurviveRestart", survivesRestart},
		{"HashChainVerifiesAndDetectsChangedByte", hashChain},
		{"MultiEventAppendIsAtomicAndVersioned", multiEventAtomic},
		{"ConcurrentMultiEventAppendsAllLand", concurrentMultiEvent},
		{"AppendOfMoreThanMaxEventsRefused", tooManyEvents},
		{"TooLargeEventRefusedAsInvalid", tooLargeEvent},
		{"LoadAfterSequence", loadAfterSequence},
		{"LoadOrgInStreamOrder", loadOrgOrder},
		{"ChangedSinceNamesTheAggregatesThatMoved", changedSince},
		{"TailCheckpointsKeptByBase", tailCheckpoints},
		{"LocateFindsOrganisation", locate},
		{"AggregateIDOfAnotherOrganisationIsRefused", idOfAnotherOrganisation},
		{"ConcurrentCreationsOfOneIDOneWins", concurrentCreationsOfOneID},
		{"EventsFromTo", eventsFromTo},
		{"SubscribeSeesNewEvents", subscribeSeesNew},
		{"InvalidRefTokensRefused", invalidRef},
		{"EnvelopeFieldsRoundTrip", envelopeRoundTrip},
		{"EveryEventIsSignedByTheStoreKey", signedByStoreKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, f) })
	}
}
