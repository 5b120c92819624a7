package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// MaxUploadRows bounds the rows of one CSV upload.
const MaxUploadRows = 5000

// BulkResult is the answer to a CSV upload: one entry per data row.
// Accepted rows are recorded even when others are refused.
type BulkResult struct {
	Accepted int       `json:"accepted"`
	Refused  int       `json:"refused"`
	Sequence uint64    `json:"sequence"`
	Rows     []BulkRow `json:"rows"`
}

// BulkRow is the outcome of one CSV row.
type BulkRow struct {
	// Line is the row's line number in the file (the header is line 1).
	Line int `json:"line"`
	// MobilityID is the row's mobility_id.
	MobilityID string `json:"mobility_id,omitempty"`
	// Status is "accepted" or "refused".
	Status string `json:"status"`
	// Replayed tells a row already accepted under the same idempotency key.
	Replayed bool `json:"replayed,omitempty"`
	// Version and Sequence of the project after an accepted row.
	Version  uint64 `json:"version,omitempty"`
	Sequence uint64 `json:"sequence,omitempty"`
	// Rule, Field and Column say what is wrong with a refused row.
	Rule   string `json:"rule,omitempty"`
	Field  string `json:"field,omitempty"`
	Column string `json:"column,omitempty"`
	// Status code and message of a refused row, as a command would answer.
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// uploadMobilities reports one mobility per CSV row.
func (s *Server) uploadMobilities(c echo.Context) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "text/csv" && mt != "application/csv" && mt != "text/plain") {
			return apperr.InvalidField("Content-Type", "upload the mobilities as text/csv, not %q", ct)
		}
	}
	projectID := c.Param("id")
	if err := s.authoriseCommand(c, aggregates.ReportMobility{ProjectID: projectID}); err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	reason, err := reasonOf(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	res, err := s.bulkReport(c, projectID, body, c.Request().Header.Get(echo.HeaderContentType), key, reason)
	if err != nil {
		return err
	}
	c.Response().Header().Set(HeaderSequence, strconv.FormatUint(res.Sequence, 10))
	if strings.Contains(c.Request().Header.Get("Accept"), "text/csv") {
		return writeBulkCSV(c, res)
	}
	return c.JSON(http.StatusOK, res)
}

// bulkReport reports one mobility per row of a CSV file (the API's upload
// and the web page's): the rows are checked and recorded one by one.
func (s *Server) bulkReport(c echo.Context, projectID string, body []byte, contentType, key, reason string) (BulkResult, error) {
	body, err := csvUTF8(contentType, body)
	if err != nil {
		return BulkResult{}, err
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = separatorOf(body)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return BulkResult{}, apperr.New(apperr.Invalid, "the CSV file is empty; the first line must name the columns (see docs/api.md)")
	}
	if err != nil {
		return BulkResult{}, apperr.New(apperr.Invalid, "the CSV header cannot be read: %v", err)
	}
	cols, err := headerColumns(header)
	if err != nil {
		return BulkResult{}, err
	}
	// Read the whole file first: a file over the row limit is refused
	// before any of its rows is recorded.
	type record struct {
		line   int
		values []string
		err    error
	}
	var recs []record
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line := 0
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			line = pe.StartLine
		case len(rec) > 0:
			line, _ = r.FieldPos(0)
		}
		if len(recs) >= MaxUploadRows {
			return BulkResult{}, apperr.New(apperr.Invalid, "the file has more than %d rows; nothing was recorded: split it", MaxUploadRows)
		}
		recs = append(recs, record{line: line, values: rec, err: err})
	}
	res := BulkResult{Rows: []BulkRow{}}
	p := principal(c)
	idCol := -1
	for i, col := range cols {
		if col.name == "mobility_id" {
			idCol = i
		}
	}
	for _, rc := range recs {
		rec := rc.values
		row := BulkRow{Line: rc.line}
		if rc.err == nil && idCol >= 0 && idCol < len(rec) {
			row.MobilityID = strings.TrimSpace(rec[idCol])
		}
		if rc.err != nil {
			row = refuse(row, apperr.New(apperr.Invalid, "the line is not valid CSV: %v", rc.err))
		} else if len(rec) != len(cols) {
			row = refuse(row, apperr.New(apperr.Invalid, "the line has %d values; the header has %d columns", len(rec), len(cols)))
		} else {
			row = s.uploadRow(c, row, projectID, cols, rec, key, reason, p.Actor())
		}
		if row.Status == "accepted" {
			res.Accepted++
			if row.Sequence > res.Sequence {
				res.Sequence = row.Sequence
			}
		} else {
			res.Refused++
		}
		s.metrics.rows.WithLabelValues(row.Status, row.Rule).Inc()
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// headerColumns checks the header line and returns the column of each position.
func headerColumns(header []string) ([]csvColumn, error) {
	byName := map[string]csvColumn{}
	for _, c := range csvColumns {
		byName[c.name] = c
	}
	seen := map[string]bool{}
	out := make([]csvColumn, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		c, ok := byName[h]
		if !ok {
			return nil, apperr.InvalidField(h, "unknown CSV column %q; the columns are listed in docs/api.md", h)
		}
		if seen[h] {
			return nil, apperr.InvalidField(h, "the column %q appears twice", h)
		}
		seen[h] = true
		out[i] = c
	}
	for _, c := range csvColumns {
		if c.req && !seen[c.name] {
			return nil, apperr.InvalidField(c.name, "the required column %q is missing", c.name)
		}
	}
	return out, nil
}

// uploadRow decodes and reports one row.
func (s *Server) uploadRow(c echo.Context, row BulkRow, projectID string, cols []csvColumn, rec []string, key, reason string, actor events.Actor) BulkRow {
	obj := map[string]any{}
	for i, col := range cols {
		v := strings.TrimSpace(rec[i])
		if col.name == "mobility_id" {
			row.MobilityID = v
		}
		if v == "" {
			continue
		}
		val, err := csvValue(col, v)
		if err != nil {
			return refuse(row, err)
		}
		setPath(obj, col.path, val)
	}
	body, _ := json.Marshal(obj)
	var cmd aggregates.ReportMobility
	if err := decodeStrict(body, &cmd, map[string]string{"project_id": projectID}); err != nil {
		return refuse(row, err)
	}
	req := command.Request{Command: cmd, Actor: actor, CorrelationID: requestID(c), Reason: reason}
	if key != "" {
		// Keyed by mobility, not by line: the same file uploaded again,
		// even reordered or with refused rows fixed, records nothing twice.
		req.IdempotencyKey = rowKey(key, cmd.MobilityID)
	}
	res, err := s.d.Commands.Handle(c.Request().Context(), req)
	if err != nil {
		ae := apperr.As(err)
		s.metrics.command(cmd.CommandType(), string(ae.Code), ae.Rule)
		if ae.Code == apperr.Internal {
			s.log.Error("bulk row failed", "request_id", requestID(c), "line", row.Line, "err", err)
		}
		return refuse(row, err)
	}
	outcome := "ok"
	if res.Replayed {
		outcome = "replayed"
	}
	s.metrics.command(cmd.CommandType(), outcome, "")
	row.Status, row.Replayed, row.Version, row.Sequence = "accepted", res.Replayed, res.Version, res.Sequence
	return row
}

// refuse marks row refused with err's rule, field and message.
func refuse(row BulkRow, err error) BulkRow {
	pr := problemOf(err)
	row.Status = "refused"
	row.Code = pr.Status
	row.Rule, row.Field, row.Message = pr.Rule, pr.Field, pr.Detail
	if pr.Status == http.StatusConflict && pr.Field == "" && pr.Version == nil {
		// A conflict without a version is a mobility ID already used.
		row.Field = "mobility_id"
	}
	row.Column = columnOfField(row.Field)
	return row
}

// csvValue converts one cell to its JSON value.
func csvValue(col csvColumn, v string) (any, error) {
	switch col.kind {
	case "int":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Field: strings.Join(col.path, "."), Message: fmt.Sprintf("column %s must be a whole number, not %q", col.name, v)}
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil && strings.Count(v, ",") == 1 && !strings.Contains(v, ".") {
			f, err = strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64) // decimal comma: 65,01
		}
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Field: strings.Join(col.path, "."), Message: fmt.Sprintf("column %s must be a number, not %q", col.name, v)}
		}
		return f, nil
	case "bool":
		switch strings.ToLower(v) {
		case "true", "yes", "1", "x", "kyllä", "k":
			return true, nil
		case "false", "no", "0", "ei", "e":
			return false, nil
		}
		return nil, &apperr.Error{Code: apperr.Invalid, Field: strings.Join(col.path, "."), Message: fmt.Sprintf("column %s must be true or false, not %q", col.name, v)}
	case "list":
		var out []string
		for _, s := range strings.Split(v, ";") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
	return v, nil
}

// setPath sets obj[path...] = v, creating nested objects.
func setPath(obj map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	obj[path[len(path)-1]] = v
}

// rowKey is the idempotency key of one row of an upload sent with key; a
// long key is shortened to its hash so that the row key stays within the
// handler's bound.
func rowKey(key, mobilityID string) string {
	if len(key) > 100 {
		sum := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(sum[:16])
	}
	return key + "/" + mobilityID
}

// writeBulkCSV answers an upload as CSV, one line per row of the file, for
// a spreadsheet beside the original.
func writeBulkCSV(c echo.Context, res BulkResult) error {
	w := csvWriter(c, "mobilities-result.csv")
	_ = w.Write([]string{"line", "mobility_id", "status", "rule", "field", "column", "message", "sequence"})
	for _, r := range res.Rows {
		seq := ""
		if r.Sequence > 0 {
			seq = strconv.FormatUint(r.Sequence, 10)
		}
		_ = w.Write([]string{strconv.Itoa(r.Line), r.MobilityID, r.Status, r.Rule, r.Field, r.Column, r.Message, seq})
	}
	w.Flush()
	return w.Error()
}

// separatorOf picks the field separator from the header line: a comma, or
// a semicolon when the header has semicolons and no comma (the CSV that
// spreadsheets save with a Finnish locale).
func separatorOf(body []byte) rune {
	header, _, _ := bytes.Cut(body, []byte("\n"))
	if bytes.IndexByte(header, ',') < 0 && bytes.IndexByte(header, ';') >= 0 {
		return ';'
	}
	return ','
}
