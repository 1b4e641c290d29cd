package sqldriver

import (
	"slices"
	"testing"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

func TestParseDSN(t *testing.T) {
	for dsn, want := range map[string]config{
		"127.0.0.1:1":                              {addrs: []string{"127.0.0.1:1"}, level: client.Linearizable},
		"a:1,b:2?consistency=lease":                {addrs: []string{"a:1", "b:2"}, level: client.Lease},
		"a:1?consistency=LOCAL&connect_timeout=2s": {addrs: []string{"a:1"}, level: client.Local, connectTimeout: 2 * time.Second},
		"a:1?consistency=linearizable":             {addrs: []string{"a:1"}, level: client.Linearizable},
		" a:1 , ,b:2":                              {addrs: []string{"a:1", "b:2"}, level: client.Linearizable},
	} {
		got, err := parseDSN(dsn)
		if err != nil {
			t.Errorf("parseDSN(%q): %v", dsn, err)
			continue
		}
		if !slices.Equal(got.addrs, want.addrs) || got.level != want.level || got.connectTimeout != want.connectTimeout {
			t.Errorf("parseDSN(%q) = %+v, want %+v", dsn, got, want)
		}
	}
	for _, dsn := range []string{"", "?consistency=lease", "a:1?consistency=strong", "a:1?timeout=1s", "a:1?connect_timeout=-1s", "a:1?connect_timeout=x", "a:1?%zz"} {
		if _, err := parseDSN(dsn); err == nil {
			t.Errorf("parseDSN(%q) accepted it", dsn)
		}
	}
}
