package sqldriver

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/resqlite/resqlite/rpc/client"
)

// config is a parsed data source name.
type config struct {
	addrs          []string
	level          client.Consistency
	connectTimeout time.Duration
}

// parseDSN parses "host:port[,host:port...][?option=value&...]".
func parseDSN(dsn string) (config, error) {
	cfg := config{level: client.Linearizable}
	hosts, query, _ := strings.Cut(dsn, "?")
	for _, a := range strings.Split(hosts, ",") {
		if a = strings.TrimSpace(a); a != "" {
			cfg.addrs = append(cfg.addrs, a)
		}
	}
	if len(cfg.addrs) == 0 {
		return config{}, fmt.Errorf("sqldriver: data source name %q names no node address", dsn)
	}
	opts, err := url.ParseQuery(query)
	if err != nil {
		return config{}, fmt.Errorf("sqldriver: data source name options %q: %w", query, err)
	}
	for key, vals := range opts {
		if err := cfg.set(key, vals[len(vals)-1]); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// set applies one option of the data source name.
func (cfg *config) set(key, val string) error {
	switch key {
	case "consistency":
		level, err := parseConsistency(val)
		if err != nil {
			return err
		}
		cfg.level = level
	case "connect_timeout":
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return fmt.Errorf("sqldriver: connect_timeout %q is not a positive duration", val)
		}
		cfg.connectTimeout = d
	default:
		return fmt.Errorf("sqldriver: unknown data source name option %q (known: consistency, connect_timeout)", key)
	}
	return nil
}

func parseConsistency(s string) (client.Consistency, error) {
	switch strings.ToLower(s) {
	case "linearizable":
		return client.Linearizable, nil
	case "lease":
		return client.Lease, nil
	case "local":
		return client.Local, nil
	}
	return 0, fmt.Errorf("sqldriver: consistency %q is not linearizable, lease or local", s)
}
