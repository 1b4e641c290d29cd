package sqldriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/resqlite/resqlite/rpc/client"
)

// DriverName is the name the driver is registered under.
const DriverName = "resqlite"

func init() { sql.Register(DriverName, Driver{}) }

// Driver is the database/sql driver of ReSqlite.
type Driver struct{}

var (
	_ driver.Driver        = Driver{}
	_ driver.DriverContext = Driver{}
)

// Open returns a connection of its own (with a client of its own) to the
// cluster dsn names. sql.Open does not use it: it uses OpenConnector,
// whose connections share one client.
func (Driver) Open(dsn string) (driver.Conn, error) {
	c, err := NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	conn, err := c.Connect(context.Background())
	if err != nil {
		return nil, err
	}
	conn.(*Conn).owner = c
	return conn, nil
}

// OpenConnector implements driver.DriverContext.
func (Driver) OpenConnector(dsn string) (driver.Connector, error) { return NewConnector(dsn) }

// Connector makes the connections of one sql.DB. They share one client
// (one gRPC connection and one session), dialed by the first Connect;
// sql.DB.Close closes it.
type Connector struct {
	cfg config

	mu     sync.Mutex
	cl     *client.Client
	closed bool
}

var (
	_ driver.Connector           = (*Connector)(nil)
	_ interface{ Close() error } = (*Connector)(nil)
)

// NewConnector parses dsn (see the package documentation); it does not
// connect. sql.OpenDB(c) makes a sql.DB of it.
func NewConnector(dsn string) (*Connector, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return &Connector{cfg: cfg}, nil
}

// Connect implements driver.Connector.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	cl, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	return &Conn{cl: cl, level: c.cfg.level}, nil
}

// client returns the shared client, dialing it on first use.
func (c *Connector) client(ctx context.Context) (*client.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("sqldriver: connector closed")
	}
	if c.cl != nil {
		return c.cl, nil
	}
	opts := client.Options{Fallback: c.cfg.addrs[1:], ConnectTimeout: c.cfg.connectTimeout}
	cl, err := client.Dial(ctx, c.cfg.addrs[0], opts)
	if err != nil {
		return nil, ctxError(ctx, fmt.Errorf("sqldriver: connect to %s: %w", c.cfg.addrs[0], err))
	}
	c.cl = cl
	return cl, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return Driver{} }

// Close closes the shared client; sql.DB.Close calls it.
func (c *Connector) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.cl == nil {
		return nil
	}
	err := c.cl.Close()
	c.cl = nil
	return err
}
