package aggregates

import (
	"math/big"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// checkWorkPackages enforces KA2-WORK-PACKAGES at submission: the lump sum
// of a KA210 or KA220 application is divided among its work packages, whose
// shares add up to the lump sum requested. An application without a lump
// sum (other actions; KA220 of 2021, funded by cost category) has none.
func (d *Domain) checkWorkPackages(c SubmitApplication) ([]WorkPackage, error) {
	lump := false
	if c.Action == ActionKA210 || c.Action == ActionKA220 {
		t, err := d.table(c.CallYear)
		if err != nil {
			return nil, err
		}
		lump = len(t.LumpSums(c.Action)) > 0
	}
	if !lump {
		if len(c.WorkPackages) > 0 {
			return nil, apperr.InvalidField("work_packages", "work packages divide the lump sum of a KA210 or KA220 project; a %s application of call %d has no lump sum to divide", c.Action, c.CallYear)
		}
		return nil, nil
	}
	if len(c.WorkPackages) == 0 {
		return nil, apperr.RuleField("KA2-WORK-PACKAGES", "work_packages", "the lump sum of a %s project is divided among its work packages; give at least one, with shares adding up to the %s requested", c.Action, euros(c.RequestedCents))
	}
	var sum int64
	wps := make([]WorkPackage, len(c.WorkPackages))
	for i, w := range c.WorkPackages {
		w.Title = strings.TrimSpace(w.Title)
		wps[i] = w
		sum = money.SatAdd(sum, w.ShareCents)
	}
	if sum != c.RequestedCents {
		return nil, apperr.RuleField("KA2-WORK-PACKAGES", "work_packages", "the work packages divide the lump sum requested: their shares add up to %s, not %s", euros(sum), euros(c.RequestedCents))
	}
	return wps, nil
}

// checkWorkPackageAssessment enforces KA2-WORK-PACKAGES at the final
// assessment of a project with work packages: the office judges each of
// them once, a report with an incomplete one is reduced, and the final
// grant does not exceed the shares of the completed ones (scaled to the
// grant awarded, when it differs from the lump sum requested). A project
// without work packages is judged as a whole.
func checkWorkPackageAssessment(pr Project, c AssessFinalReport) error {
	if len(pr.WorkPackages) == 0 {
		if len(c.WorkPackages) > 0 {
			return apperr.InvalidField("work_packages", "project %s has no work packages to judge", pr.ID)
		}
		return nil
	}
	judged := map[string]bool{}
	for i, w := range c.WorkPackages {
		if !hasWorkPackage(pr, w.ID) {
			return apperr.InvalidField(idx("work_packages", i)+".id", "project %s has no work package %s", pr.ID, w.ID)
		}
		judged[w.ID] = w.Completed
	}
	var completed, total int64
	var missing, incomplete []string
	for _, w := range pr.WorkPackages {
		done, ok := judged[w.ID]
		switch {
		case !ok:
			missing = append(missing, w.ID)
		case done:
			completed = money.SatAdd(completed, w.ShareCents)
		default:
			incomplete = append(incomplete, w.ID)
		}
		total = money.SatAdd(total, w.ShareCents)
	}
	if len(missing) > 0 {
		return apperr.RuleField("KA2-WORK-PACKAGES", "work_packages", "the final assessment judges every work package completed or not; %s not judged", strings.Join(missing, ", "))
	}
	if len(incomplete) > 0 && c.Outcome == OutcomeAccepted {
		return apperr.RuleField("KA2-WORK-PACKAGES", "outcome", "work packages %s are incomplete, so the report is reduced, not accepted", strings.Join(incomplete, ", "))
	}
	limit := scaleShare(completed, pr.AwardedCents, total)
	if c.FinalCents > limit {
		return apperr.RuleField("KA2-WORK-PACKAGES", "final_cents", "the grant of a project with incomplete work packages (%s) is at most the share of the completed ones, %s; %s was asked",
			strings.Join(incomplete, ", "), euros(limit), euros(c.FinalCents))
	}
	return nil
}

func hasWorkPackage(pr Project, id string) bool {
	for _, w := range pr.WorkPackages {
		if w.ID == id {
			return true
		}
	}
	return false
}

// scaleShare returns share * awarded / total, rounded down, without
// overflow (all three are bounded amounts of cents).
func scaleShare(share, awarded, total int64) int64 {
	if total <= 0 || share == total {
		return awarded
	}
	v := new(big.Int).Mul(big.NewInt(share), big.NewInt(awarded))
	return v.Quo(v, big.NewInt(total)).Int64()
}
