package aggregates

import (
	"math"
	"reflect"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"pgregory.net/rapid"
)

// hostileCents are amounts an attacker or a typo sends: the overflow
// reproduction of issue 12, the int64 limits, values just over the bounds.
var hostileCents = []int64{120000000000000000, math.MaxInt64, math.MinInt64, -1, money.MaxProjectCents + 1,
	money.MaxMobilityCents + 1, 800_000_000_000_000_00, math.MaxInt64 / 2}

// adversarial returns cmd with, now and then, every euro-cent field (at
// any depth, pointers included) replaced by a hostile or random amount, so
// that the property test runs every command with huge values too.
func adversarial(t *rapid.T, cmd Command) Command {
	if rapid.IntRange(0, 3).Draw(t, "adversarial") > 0 {
		return cmd
	}
	v := reflect.New(reflect.TypeOf(cmd)).Elem()
	v.Set(reflect.ValueOf(cmd))
	mutateCents(t, v, "")
	return v.Interface().(Command)
}

func mutateCents(t *rapid.T, v reflect.Value, name string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Int64 && strings.HasSuffix(name, "_cents") {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
		}
		if !v.IsNil() {
			mutateCents(t, v.Elem(), name)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Date{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			mutateCents(t, v.Field(i), n)
		}
	case reflect.Int64:
		if strings.HasSuffix(name, "_cents") {
			x := rapid.OneOf(rapid.SampledFrom(hostileCents), rapid.Int64()).Draw(t, name)
			v.SetInt(x)
		}
	}
}

// checkAcceptedAmounts fails when an accepted command carries an amount
// outside the bounds of the money package.
func checkAcceptedAmounts(t *rapid.T, cmd Command) {
	var walk func(v reflect.Value, name string)
	walk = func(v reflect.Value, name string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), name)
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if f := v.Type().Field(i); f.IsExported() {
					n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					walk(v.Field(i), n)
				}
			}
		case reflect.Int64:
			if strings.HasSuffix(name, "_cents") && !money.InRange(v.Int(), money.MaxProjectCents) {
				t.Fatalf("%s accepted with %s = %d", cmd.CommandType(), name, v.Int())
			}
		}
	}
	walk(reflect.ValueOf(cmd), "")
}

// checkBounds fails when a total of the portfolio is negative or beyond
// its bound, or when the organisation's sums (what the statistics add up)
// overflow.
func checkBounds(t *rapid.T, p Portfolio) {
	var sums [5]int64
	for _, pr := range p.Projects {
		for _, f := range []struct {
			name string
			v    int64
		}{
			{"requested", pr.RequestedCents}, {"awarded", pr.AwardedCents}, {"reported", pr.ReportedCents},
			{"net paid", pr.NetPaidCents}, {"final", pr.FinalCents},
		} {
			if !money.InRange(f.v, money.MaxProjectCents) {
				t.Fatalf("%s: %s total %d is out of 0..%d", pr.ID, f.name, f.v, money.MaxProjectCents)
			}
		}
		for _, r := range pr.Mobilities {
			if g := r.Grant.TotalCents; !money.InRange(g, money.MaxMobilityCents) {
				t.Fatalf("%s: mobility %s has a grant of %d", pr.ID, r.Mobility.MobilityID, g)
			}
			for _, l := range r.Grant.Lines {
				if !money.InRange(l.AmountCents, money.MaxMobilityCents) {
					t.Fatalf("%s: mobility %s has a line of %d", pr.ID, r.Mobility.MobilityID, l.AmountCents)
				}
			}
		}
		for i, v := range []int64{pr.RequestedCents, pr.AwardedCents, pr.ReportedCents, pr.NetPaidCents, pr.FinalCents} {
			var ok bool
			if sums[i], ok = money.Add(sums[i], v); !ok {
				t.Fatalf("the organisation's totals overflow")
			}
		}
	}
}

// allCommands lists one value of every command type of the domain.
func allCommands() []Command {
	return []Command{RegisterOrganisation{}, ApplyForAccreditation{}, DecideAccreditation{}, WithdrawAccreditation{},
		SubmitApplication{}, WithdrawApplication{}, AssessEligibility{}, DecideApplication{}, SignGrantAgreement{},
		RecordPayment{}, AmendProject{}, RequestUkraineException{}, DecideUkraineException{}, ReportMobility{},
		CorrectMobility{}, CancelMobility{}, SubmitInterimReport{}, SubmitFinalReport{}, AssessFinalReport{},
		CloseProject{}, TerminateProject{}}
}
