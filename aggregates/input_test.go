package aggregates

import (
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestCleanInputRules: text, dates and amounts of a command are refused
// with the rule and the field at fault.
func TestCleanInputRules(t *testing.T) {
	m := jobShadow("M1")
	for _, tc := range []struct {
		name  string
		cmd   Validator
		rule  string
		field string
	}{
		{"INPUT-TEXT/bidi override", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "ok \u202egnp.exe"}, RuleText, "reason"},
		{"INPUT-TEXT/isolate", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "\u2066x\u2069"}, RuleText, "reason"},
		{"INPUT-TEXT/direction mark", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.ReceivingCity = "Berlin\u200f" })}, RuleText, "receiving_city"},
		{"INPUT-TEXT/control character", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.Personal.FirstName = "A\x00ino" })}, RuleText, "personal.first_name"},
		{"INPUT-TEXT/newline in one-line text", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.ReceivingCity = "Berlin\n=cmd" })}, RuleText, "receiving_city"},
		{"INPUT-TEXT/invalid UTF-8", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "caf\xe9"}, RuleText, "reason"},
		{"INPUT-TEXT/delete character in ASCII", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "ok\x7f"}, RuleText, "reason"},
		{"INPUT-TEXT-LENGTH/too long in ASCII", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: strings.Repeat("a", MaxTextRunes+1)}, RuleTextLength, "reason"},
		{"INPUT-TEXT-LENGTH/too long", CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: strings.Repeat("ä", MaxTextRunes+1)}, RuleTextLength, "reason"},
		{"INPUT-DATE-RANGE/year 0024", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.StartDate = MustDate("0024-03-01") })}, RuleDateRange, "start_date"},
		{"INPUT-DATE-RANGE/year 2200", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.EndDate = MustDate("2200-03-01") })}, RuleDateRange, "end_date"},
		{"INPUT-DATE-RANGE/birth date", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.Personal.BirthDate = MustDate("1899-12-31") })}, RuleDateRange, "personal.birth_date"},
		{"INPUT-AMOUNT-RANGE/real travel cost of the reproduction", ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.RealTravelCostCents = 120000000000000000 })}, RuleAmountRange, "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/awarded", DecideApplication{ProjectID: "P1", Outcome: OutcomeApproved, AwardedCents: 80_000_000_000_000_000}, RuleAmountRange, "awarded_cents"},
		{"INPUT-AMOUNT-RANGE/payment", RecordPayment{ProjectID: "P1", PaymentID: "X", Kind: PaymentPreFinancing, AmountCents: 1 << 62}, RuleAmountRange, "amount_cents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cmd.Validate()
			ae := apperr.As(err)
			if err == nil || ae.Rule != tc.rule || ae.Field != tc.field || ae.Code != apperr.Invalid {
				t.Fatalf("got %v; want rule %s on %s", err, tc.rule, tc.field)
			}
		})
	}
	for _, ok := range []Validator{
		CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "rivi 1\nrivi 2\tsarkain"},
		CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: " ~" + strings.Repeat("a", MaxTextRunes-2)},
		ReportMobility{ProjectID: "P1", Mobility: with(m, func(x *Mobility) { x.Personal.FirstName = "Äijä 🙂 \u200d" })},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("clean input refused: %v", err)
		}
	}
}
