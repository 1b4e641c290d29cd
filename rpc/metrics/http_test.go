package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc/codes"
)

// The Guard is asked for "status" before /metrics and for "admin" before
// pprof, and what it refuses is not served.
func TestHandlerAsksTheGuardForEachPathsPermission(t *testing.T) {
	var asked []string
	guard := func(perm string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = append(asked, perm)
			if r.Header.Get("Perm") != perm {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	h := New().Handler(guard)
	cases := []struct {
		path, perm string
		want       int
	}{
		{"/metrics", PermStatus, http.StatusOK},
		{"/metrics", PermAdmin, http.StatusForbidden},
		{"/debug/pprof/", PermAdmin, http.StatusOK},
		{"/debug/pprof/cmdline", PermStatus, http.StatusForbidden},
	}
	for _, c := range cases {
		asked = nil
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		req.Header.Set("Perm", c.perm)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Fatalf("%s with %q: status %d, want %d", c.path, c.perm, rec.Code, c.want)
		}
		if len(asked) != 1 {
			t.Fatalf("%s: guard asked %v", c.path, asked)
		}
	}
	// Without a guard both are open.
	rec := httptest.NewRecorder()
	New().Handler(nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("open pprof: %d", rec.Code)
	}
}

func TestCodeNameIsSnakeCase(t *testing.T) {
	for c, want := range map[codes.Code]string{codes.DeadlineExceeded: "deadline_exceeded", codes.Unavailable: "unavailable", codes.OK: "ok"} {
		if got := codeName(c); got != want {
			t.Fatalf("codeName(%v) = %q, want %q", c, got, want)
		}
	}
}
