package node_test

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxy forwards TCP connections from its own loopback port to a node's
// port. Cut closes every connection and refuses new ones: the node then
// receives nothing from anyone (its own outgoing connections go through
// the other nodes' proxies), until Heal.
type proxy struct {
	l      net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{l: l, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.mu.Unlock()
		d, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[d] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, d)
		go p.pipe(d, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// setCut cuts (true) or heals (false) the node's incoming traffic.
func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

func (p *proxy) close() {
	p.l.Close()
	p.setCut(true)
	p.wg.Wait()
}

// startProxiedCluster starts n nodes that reach each other through one
// proxy per node (the members' addresses are the proxies'); clients use
// the nodes' own ports.
func startProxiedCluster(t testing.TB, n int, extra ...string) (*testCluster, map[int]*proxy) {
	t.Helper()
	bin := program(t)
	for attempt := 0; ; attempt++ {
		c := &testCluster{t: t, bin: bin, extra: extra, procs: map[int]*proc{}}
		t.Cleanup(c.killAll)
		addrs := freePorts(t, n)
		proxies := map[int]*proxy{}
		var parts []string
		for i, a := range addrs {
			proxies[i+1] = newProxy(t, a)
			parts = append(parts, fmt.Sprintf("%d=%s", i+1, proxies[i+1].addr()))
		}
		c.peers = strings.Join(parts, ",")
		for i, a := range addrs {
			c.start(i+1, a, filepath.Join(t.TempDir(), fmt.Sprintf("node-%d", i+1)), "-peers", c.peers, "-listen", a)
		}
		if c.waitLeader(15*time.Second) != 0 && c.allRunning() {
			return c, proxies
		}
		c.killAll()
		if attempt == 2 {
			t.Fatalf("no leader elected in three attempts; last stderr:\n%s", c.stderrAll())
		}
	}
}
