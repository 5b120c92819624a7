package api_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// cookieJar keeps the cookies of one test browser.
type cookieJar struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cookies = append(j.cookies, cs...)
}

func (j *cookieJar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.cookies {
		if strings.HasPrefix(u.Path, c.Path) {
			out = append(out, c)
		}
	}
	return out
}

func copyBody(w io.Writer, res *http.Response) (int64, error) { return io.Copy(w, res.Body) }
