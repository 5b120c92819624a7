package aggregates

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// ruleCase is one probe of a rule: given the events, when the command is
// decided at now, then it is accepted (rule == "" and code == "") or
// refused citing rule (or with code, for errors without a rule).
type ruleCase struct {
	name   string
	given  []Event
	now    string
	actor  *events.Actor
	policy Policy
	cmd    Command
	rule   string
	code   apperr.Code
	check  func(t *testing.T, ev Event)

	// ref are events of the national office's reference data (call
	// rounds, rates tables) the decision sees.
	ref []Event
}

// allRuleCases gathers every table of rule cases.
func allRuleCases() []ruleCase {
	return cat2(callCases(), actionCases(), activityCases(), budgetCases(), ukraineCases(), lifecycleCases(), roleCases(), issue14Cases(), referenceCases())
}

func cat2(parts ...[]ruleCase) []ruleCase {
	var out []ruleCase
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRules(t *testing.T) {
	reg := Registry()
	seen := map[string]bool{}
	for _, c := range allRuleCases() {
		if seen[c.name] {
			t.Errorf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			d := (&Domain{Rates: testBook, Policy: c.policy}).WithReference(officeState(c.ref...).Reference)
			actor := office
			if c.actor != nil {
				actor = *c.actor
			}
			before := fold(c.given...)
			snapshot := mustJSON(t, before)
			evs, err := d.Decide(Context{Now: at(c.now), Actor: actor}, before, c.cmd)
			if got := mustJSON(t, before); got != snapshot {
				t.Fatalf("Decide changed its input state")
			}
			if c.rule != "" || c.code != "" {
				if err == nil {
					t.Fatalf("accepted, want refusal (rule %q, code %q); events: %+v", c.rule, c.code, evs)
				}
				rule, code := ruleOf(err)
				if rule != c.rule {
					t.Fatalf("refused with rule %q (%v), want rule %q", rule, err, c.rule)
				}
				if c.code != "" && code != c.code {
					t.Fatalf("refused with code %q (%v), want %q", code, err, c.code)
				}
				if c.rule != "" && code != apperr.RuleViolation && code != apperr.Forbidden {
					t.Fatalf("rule %s cited with code %q, want rule-violation or forbidden", rule, code)
				}
				t.Logf("refused as expected: %v", err)
				if msg := apperr.As(err).Message; len(msg) < 20 {
					t.Fatalf("message %q does not explain what is wrong and what is allowed", msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1", len(evs))
			}
			roundTrip(t, reg, evs[0])
			if c.check != nil {
				c.check(t, evs[0])
			}
		})
	}
}

// TestEveryRuleIDHasACase fails when a rule ID of RuleIDs has no case
// named after it, or a case names an unknown rule.
func TestEveryRuleIDHasACase(t *testing.T) {
	known := map[string]bool{}
	for _, id := range RuleIDs() {
		if known[id] {
			t.Errorf("rule ID %s listed twice", id)
		}
		known[id] = true
	}
	covered := map[string]int{}
	for _, c := range allRuleCases() {
		id, _, ok := strings.Cut(c.name, "/")
		if !ok {
			t.Errorf("case %q is not named RULE-ID/boundary", c.name)
			continue
		}
		if !known[id] {
			t.Errorf("case %q names unknown rule %s", c.name, id)
		}
		covered[id]++
		if c.rule != "" && c.rule != id && !strings.Contains(c.name, c.rule) {
			// A case may prove one rule by the refusal of another only if it says so.
			t.Errorf("case %q expects rule %s but is named after %s", c.name, c.rule, id)
		}
	}
	var missing []string
	for _, id := range RuleIDs() {
		if covered[id] == 0 {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("rule IDs without a test case: %s", strings.Join(missing, ", "))
	}
}

// TestLifecycleRulesDocumented checks the rule IDs this package adds are
// documented with their text.
func TestLifecycleRulesDocumented(t *testing.T) {
	for _, r := range LifecycleRules() {
		if r.ID == "" || len(r.Rule) < 30 {
			t.Errorf("rule %q is not documented", r.ID)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// roundTrip checks an event survives the registry: encoded, decoded as its
// registered type, it is equal to itself.
func roundTrip(t *testing.T, reg *events.Registry, ev Event) {
	t.Helper()
	name, ver, err := reg.NameOf(ev)
	if err != nil {
		t.Fatalf("event %T is not registered: %v", ev, err)
	}
	if name != ev.EventType() {
		t.Fatalf("event %T registered as %s, EventType says %s", ev, name, ev.EventType())
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Decode(events.Envelope{Type: name, SchemaVersion: ver, Payload: payload})
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	if !reflect.DeepEqual(normaliseNil(got), normaliseNil(ev)) {
		t.Fatalf("%s does not survive a JSON round trip:\n got %+v\nwant %+v", name, got, ev)
	}
}

// normaliseNil re-encodes v so that nil and empty slices compare equal.
func normaliseNil(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
