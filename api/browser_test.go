package api_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api"
)

// browser is a test browser: a cookie jar, redirects not followed.
type browser struct {
	s   *system
	jar *cookieJar
	c   *http.Client
}

func newBrowser(s *system) *browser {
	jar := &cookieJar{}
	return &browser{s: s, jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and returns the answer with its body read.
func (b *browser) do(t testing.TB, method, path string, form url.Values, hdr ...string) answer {
	t.Helper()
	var body io.Reader
	var sent []byte
	if form != nil {
		sent = []byte(form.Encode())
		body = strings.NewReader(string(sent))
	}
	req, err := http.NewRequest(method, b.s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	api.CheckContract(t, b.s.server, req, sent, res.StatusCode, res.Header, data)
	return answer{status: res.StatusCode, header: res.Header, body: data}
}

// csrfOf returns the anti-forgery token of the page's form.
func csrfOf(t testing.TB, a answer) string {
	t.Helper()
	m := csrfField.FindSubmatch(a.body)
	if m == nil {
		t.Fatalf("no anti-forgery token in the page: %s", a.body)
	}
	return string(m[1])
}

// signIn fills in the sign-in form with token (and the extra fields) and
// returns the answer to sending it.
func (b *browser) signIn(t testing.TB, token string, extra url.Values) answer {
	t.Helper()
	form := url.Values{"token": {token}, "csrf": {csrfOf(t, b.do(t, "GET", "/ui/login", nil))}}
	for k, v := range extra {
		form[k] = v
	}
	return b.do(t, "POST", "/ui/login", form)
}

// cookie returns the browser's cookie name, or nil.
func (b *browser) cookie(name string) *http.Cookie {
	b.jar.mu.Lock()
	defer b.jar.mu.Unlock()
	for _, c := range b.jar.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// advance moves the system's clock on by d.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
