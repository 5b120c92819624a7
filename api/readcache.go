package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/projections"
)

// DefaultReadCacheBytes is Deps.ReadCacheBytes' default.
const DefaultReadCacheBytes = 32 << 20

// entryOverhead is what an entry costs beyond its body and key strings
// (map slot, entry struct, headers), counted against the bound.
const entryOverhead = 256

// readCache keeps the rendered JSON of project reads (the project status,
// a page of its mobilities) keyed by what the answer depends on, each
// with the project's stamp (projections.ProjectStamper) read before the
// answer was computed: an entry is served only while the project's stamp
// still equals it, so a commit that touched the project, a rebuilt
// generation or a swap makes it stale at once. The read models change the
// stamp before they report the commit through Checkpoint and WaitFor, so
// a read after Grants-Min-Sequence never sees a stale entry
// (read-your-writes). Bounded in bytes: past the bound, entries are
// dropped in the map's random order.
type readCache struct {
	stamper projections.ProjectStamper
	max     int64

	mu   sync.RWMutex
	size int64
	m    map[readKey]*readEntry
}

// readKind tells the cached reads apart.
type readKind uint8

const (
	readStatus readKind = iota + 1
	readPage
)

// readKey is what an answer depends on besides the project's rows: the
// status depends on the day (the payment schedule is as of today) and on
// whether the reader is an analyst (no support requests); a page on its
// filter.
type readKey struct {
	kind    readKind
	project string
	day     aggregates.Date
	analyst bool
	filter  projections.MobilityFilter
}

// bytes is what the key's strings cost.
func (k *readKey) bytes() int64 {
	f := &k.filter
	return int64(len(k.project) + len(f.Org) + len(f.ProjectID) + len(f.ParticipantID) + len(f.Activity) + len(f.Status) + len(f.ReceivingCountry) + len(f.Cursor))
}

// readEntry is one rendered answer.
type readEntry struct {
	stamp projections.Stamp
	// org is the project's organisation: a beneficiary of another one
	// gets the not-found answer, as from the read models.
	org  string
	etag string
	body []byte
	// zip tells that body may also be served gzipped; gz is that form,
	// compressed once, on the first hit of a client that accepts it (an
	// answer read once, as under writes, is never compressed), and kept
	// only when it fits in the room the entry reserved for it.
	zip    bool
	gzOnce sync.Once
	gz     []byte
	cost   int64
	// etagV, lenV and gzLenV are the values of the ETag and of the
	// Content-Length of body and of gz, made once with the entry and
	// shared by every answer of it (never written to).
	etagV, lenV, gzLenV []string
}

// newReadEntry returns the entry of body with its header values.
func newReadEntry(st projections.Stamp, org, tag string, body []byte, zip bool) *readEntry {
	e := &readEntry{stamp: st, org: org, etag: tag, body: body, zip: zip, lenV: []string{strconv.Itoa(len(body))}}
	if tag != "" {
		e.etagV = []string{tag}
	}
	return e
}

// gzRoom is the room an entry reserves for its gzipped form: JSON of
// repeated records compresses tenfold or more.
func gzRoom(n int) int { return n / 4 }

// gzipped returns e's gzipped form, nil when it has none.
func (e *readEntry) gzipped() []byte {
	if !e.zip {
		return nil
	}
	e.gzOnce.Do(func() {
		if gz := gzipped(e.body); len(gz) <= gzRoom(len(e.body)) {
			e.gz, e.gzLenV = gz, []string{strconv.Itoa(len(gz))}
		}
	})
	return e.gz
}

// newReadCache returns the cache over r, nil (no caching) when r keeps no
// stamps or max is not positive.
func newReadCache(r projections.Reader, max int64) *readCache {
	st, ok := r.(projections.ProjectStamper)
	if !ok || max <= 0 {
		return nil
	}
	return &readCache{stamper: st, max: max, m: map[readKey]*readEntry{}}
}

// stamp returns project id's stamp now; read it before the read models.
func (rc *readCache) stamp(id string) projections.Stamp {
	if rc == nil {
		return projections.Stamp{}
	}
	return rc.stamper.ProjectStamp(id)
}

// get returns the entry of k if it was computed at stamp st.
func (rc *readCache) get(k *readKey, st projections.Stamp) (*readEntry, bool) {
	if rc == nil || !st.Known() {
		return nil, false
	}
	rc.mu.RLock()
	e := rc.m[*k]
	rc.mu.RUnlock()
	if e == nil || e.stamp != st {
		return nil, false
	}
	return e, true
}

// put keeps e under k, dropping other entries while the bound is passed.
func (rc *readCache) put(k *readKey, e *readEntry) {
	if rc == nil || !e.stamp.Known() {
		return
	}
	e.cost = int64(len(e.body)+len(e.org)+len(e.etag)) + k.bytes() + entryOverhead
	if e.zip {
		e.cost += int64(gzRoom(len(e.body)))
	}
	if e.cost > rc.max/8 {
		return // one answer may not crowd out the others
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old := rc.m[*k]; old != nil {
		if old.stamp.Epoch == e.stamp.Epoch && old.stamp.Seq > e.stamp.Seq {
			return // a newer answer is already there
		}
		rc.size -= old.cost
		delete(rc.m, *k)
	}
	for key, old := range rc.m {
		if rc.size+e.cost <= rc.max {
			break
		}
		rc.size -= old.cost
		delete(rc.m, key)
	}
	rc.m[*k] = e
	rc.size += e.cost
}

// pretty tells whether the answer is asked indented (Echo's ?pretty, or
// its debug mode): such answers are not cached.
func pretty(c echo.Context) bool {
	if c.Echo().Debug {
		return true
	}
	if c.QueryString() == "" {
		return false // no query to parse
	}
	_, ok := c.QueryParams()["pretty"]
	return ok
}

// renderJSON encodes v as Echo's c.JSON does (one line, then a newline).
func renderJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// gzipMin is the smallest body worth compressing.
const gzipMin = 2048

// gzipped returns b compressed (nil if that fails).
func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	w.Write(b)
	if w.Close() != nil {
		return nil
	}
	return out.Bytes()
}

// acceptsGzip tells whether the request's Accept-Encoding names gzip.
func acceptsGzip(c echo.Context) bool {
	for _, v := range strings.Split(c.Request().Header.Get("Accept-Encoding"), ",") {
		v, q, _ := strings.Cut(strings.TrimSpace(v), ";")
		if strings.EqualFold(strings.TrimSpace(v), "gzip") {
			return strings.ReplaceAll(q, " ", "") != "q=0"
		}
	}
	return false
}

// serveCached answers the cached entry e: the not-found answer to a
// beneficiary of another organisation, else its ETag (if any) and body.
func serveCached(c echo.Context, e *readEntry, id string) error {
	if p := principal(c); p.Role == aggregates.RoleBeneficiary && e.org != p.Org {
		return notFound(aggregates.KindProject, id)
	}
	if e.etagV != nil {
		c.Response().Header()[headerETag] = e.etagV
	}
	var gz []byte
	if e.zip && acceptsGzip(c) {
		gz = e.gzipped()
	}
	return writeEntry(c, e, gz)
}

// writeEntry writes e's body, or gz (its gzipped form) when not nil.
func writeEntry(c echo.Context, e *readEntry, gz []byte) error {
	// The header values are the entry's or constants, assigned in
	// canonical form: no value is formatted or allocated per answer.
	h := c.Response().Header()
	b, n := e.body, e.lenV
	if e.zip {
		if v, ok := h[headerVary]; ok {
			h[headerVary] = append(v[:len(v):len(v)], varyAcceptEncoding[0])
		} else {
			h[headerVary] = varyAcceptEncoding
		}
	}
	if gz != nil {
		h[headerContentEncoding] = encodingGzip
		b, n = gz, e.gzLenV
	}
	// The length is known: the answer goes out in one piece, not in
	// chunks the client has to reassemble.
	h[headerContentLength] = n
	h[echo.HeaderContentType] = contentTypeJSON
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// Canonical header names and the constant values of cached answers
// (shared by every answer, never written to).
const (
	headerETag            = "Etag"
	headerVary            = "Vary"
	headerContentEncoding = "Content-Encoding"
	headerContentLength   = "Content-Length"
)

var (
	varyAcceptEncoding = []string{"Accept-Encoding"}
	encodingGzip       = []string{"gzip"}
	contentTypeJSON    = []string{echo.MIMEApplicationJSON}
)

// answerAndKeep renders v, keeps it in the cache under k at stamp st and
// answers it with the ETag tag (none when empty). Answers without an ETag
// may also be served gzipped from the cache: a strong ETag would have to
// differ between the two encodings, and the status' ETag is the version
// that If-Match compares.
func (s *Server) answerAndKeep(c echo.Context, k *readKey, st projections.Stamp, org, tag string, v any) error {
	if tag != "" {
		c.Response().Header().Set("ETag", tag)
	}
	if s.reads == nil || pretty(c) {
		return c.JSON(http.StatusOK, v)
	}
	b, err := renderJSON(v)
	if err != nil {
		return err
	}
	e := newReadEntry(st, org, tag, b, tag == "" && len(b) >= gzipMin)
	s.reads.put(k, e)
	return writeEntry(c, e, nil)
}
