package api_test

import (
	"testing"
)

// TestIfNoneMatchAnswersNotModified proves RFC 9110's conditional GET on
// the single resources (but a project's status, see below): the ETag is the aggregate version (a hash of the
// answer for a rule, a rates table, a participant or a payment schedule), If-None-Match
// naming it (weakly compared) is 304 without a body, and a change of the
// aggregate makes the old tag stale. A mobility carries its project's
// version, the tag If-Match of its correction compares.
func TestIfNoneMatchAnswersNotModified(t *testing.T) {
	s, own, _ := runningProject(t)
	m := thirtyFirst()
	m["start_date"], m["end_date"] = "2022-09-05", "2022-09-09"
	rep := s.must(t, 201, own, "POST", "/v1/projects/"+project+"/mobilities", m)
	mob := "/v1/projects/" + project + "/mobilities/" + m["mobility_id"].(string)
	participant := "/v1/participants/" + m["participant_id"].(string)
	plan := "/v1/projects/" + project + "/payment-plan?on=2022-12-31"
	for _, path := range []string{mob, "/v1/projects/" + project + "/as-of?at=2022-12-31", "/v1/rules/KA122-MAX-MOB", "/v1/rates/2022", participant, plan,
		"/v1/organisations/" + school + "/as-of?at=2022-12-31"} {
		first := s.must(t, 200, own, "GET", path, nil, after(rep)...)
		tag := first.header.Get("ETag")
		if tag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		for _, inm := range []string{tag, "W/" + tag, `"999", ` + tag, "*"} {
			again := s.call(t, own, "GET", path, nil, "If-None-Match", inm)
			if again.status != 304 || len(again.body) != 0 || again.header.Get("ETag") != tag {
				t.Fatalf("%s If-None-Match %s: %d %q ETag %q", path, inm, again.status, again.body, again.header.Get("ETag"))
			}
		}
		if other := s.call(t, own, "GET", path, nil, "If-None-Match", `"999"`); other.status != 200 {
			t.Fatalf("%s with a stale tag: %d", path, other.status)
		}
	}
	// A project's status holds the payment schedule and the overdue flags
	// as of today, which change without its version: it is never 304, and
	// its ETag (the version) serves If-Match.
	ps := s.must(t, 200, own, "GET", "/v1/projects/"+project, nil)
	if again := s.call(t, own, "GET", "/v1/projects/"+project, nil, "If-None-Match", ps.header.Get("ETag")); again.status != 200 || ps.header.Get("ETag") == "" {
		t.Fatalf("project status with its own tag: %d (ETag %q), want 200", again.status, ps.header.Get("ETag"))
	}
	// A change makes the tag stale; the mobility's tag is what If-Match
	// of its cancellation compares.
	tag := s.must(t, 200, own, "GET", mob, nil).header.Get("ETag")
	del := s.must(t, 200, own, "DELETE", mob, map[string]any{}, "If-Match", tag)
	if a := s.call(t, own, "GET", "/v1/projects/"+project, nil, append(after(del), "If-None-Match", tag)...); a.status != 200 {
		t.Fatalf("after a change the old tag still answers %d", a.status)
	}
}
