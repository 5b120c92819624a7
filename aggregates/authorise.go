package aggregates

import "github.com/erasmus-ledger/grants/events/apperr"

// beneficiaryCommands are the commands a beneficiary may issue for its own
// organisation. Every other command is the national office's.
var beneficiaryCommands = map[string]bool{
	"RegisterOrganisation":    true,
	"ApplyForAccreditation":   true,
	"SubmitApplication":       true,
	"WithdrawApplication":     true,
	"SignGrantAgreement":      true,
	"RequestUkraineException": true,
	"RequestInclusionSupport": true,
	"ReportMobility":          true,
	"CorrectMobility":         true,
	"CancelMobility":          true,
	"SubmitInterimReport":     true,
	"SubmitFinalReport":       true,
}

// BeneficiaryMay reports whether a beneficiary may issue the command type
// (for its own organisation).
func BeneficiaryMay(commandType string) bool { return beneficiaryCommands[commandType] }

// authorise enforces who may issue cmd (CORE-TASKS): the national office
// anything; a beneficiary only beneficiary commands and only for its own
// organisation; an analyst nothing. It also checks that the command's
// organisation is the portfolio's.
func authorise(ctx Context, p Portfolio, cmd Command) error {
	ref := cmd.Target()
	if ref.Org != "" && ref.Org != p.OID {
		return apperr.New(apperr.Internal, "command %s for organisation %s was decided on the state of %s", cmd.CommandType(), ref.Org, p.OID)
	}
	a := ctx.Actor
	switch a.Role {
	case RoleNationalOffice:
		return nil
	case RoleBeneficiary:
		if a.Org == "" || a.Org != p.OID {
			return &apperr.Error{Code: apperr.Forbidden, Rule: "CORE-TASKS",
				Message: "only users of organisation " + p.OID + " (or the national office) may act for it; you act for " + orNone(a.Org)}
		}
		if !beneficiaryCommands[cmd.CommandType()] {
			return &apperr.Error{Code: apperr.Forbidden, Rule: "CORE-TASKS",
				Message: cmd.CommandType() + " is the national office's decision; a beneficiary may apply, sign, report and request"}
		}
		return nil
	case RoleAnalyst:
		return &apperr.Error{Code: apperr.Forbidden, Rule: "CORE-TASKS",
			Message: "analysts read statistics and replays; they issue no commands"}
	}
	return &apperr.Error{Code: apperr.Forbidden, Rule: "CORE-TASKS", Message: "role " + orNone(a.Role) + " may not issue commands"}
}

func orNone(s string) string {
	if s == "" {
		return "no organisation"
	}
	return s
}
