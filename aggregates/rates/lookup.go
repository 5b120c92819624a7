package rates

import (
	"slices"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
)

// LumpSums returns the lump sums (cents, ascending) action may be awarded
// in this call year (KA210-LUMP, KA220-LUMP); nil when the action is not
// funded by lump sums that year (KA220 in 2021: cost-category rules).
func (t *Table) LumpSums(action string) []int64 {
	action = strings.ToUpper(strings.TrimSpace(action))
	for _, l := range t.LumpSumsByAction {
		if l.Action == action {
			return slices.Clone(l.AmountsCents)
		}
	}
	return nil
}

// CountryGroup returns the individual-support group of a destination
// country and whether it is a partner country (not listed, so
// PartnerCountryGroup applies).
func (t *Table) CountryGroup(country string) (group int, partner bool) {
	c := catalog.NormaliseCountry(country)
	for _, g := range t.CountryGroups {
		if slices.Contains(g.Countries, c) {
			return g.Group, !catalog.IsProgrammeCountry(c, t.CallYear)
		}
	}
	return t.PartnerCountryGroup, true
}

// TravelBand returns the band of a one-way distance; false below the
// first band (no travel grant).
func (t *Table) TravelBand(km int) (Band, bool) {
	for _, b := range t.Travel.Bands {
		if km >= b.MinKm && (b.MaxKm == 0 || km <= b.MaxKm) {
			return b, true
		}
	}
	return Band{}, false
}

// DailyRate returns the individual-support rate of class in group.
func (t *Table) DailyRate(class string, group int) (DailyRate, bool) {
	for _, r := range t.IndividualSupport.Rates {
		if r.Class == class && r.Group == group {
			return r, true
		}
	}
	return DailyRate{}, false
}

// Funds reports whether this year's rates fund activity code.
func (t *Table) Funds(code string) bool {
	a, ok := catalog.ActivityByCode(code)
	return ok && slices.Contains(t.Activities, a.Code)
}

// OrganisationalSupportTotal returns the organisational support of a
// project with n participants (accompanying persons excluded): the full
// rate up to FullRateParticipants, the lower rate beyond.
func (t *Table) OrganisationalSupportTotal(n int) int64 {
	o := t.OrganisationalSupport
	if n <= 0 {
		return 0
	}
	if o.FullRateParticipants == 0 || n <= o.FullRateParticipants {
		return times(n, o.PerParticipantCents)
	}
	return money.SatAdd(times(o.FullRateParticipants, o.PerParticipantCents), times(n-o.FullRateParticipants, o.BeyondCents))
}
