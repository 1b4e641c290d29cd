package faults

import (
	"io"
	"net"
	"sync"
	"time"
)

// proxy stands in front of one node's port (the address its peers and
// clients know it by) and forwards each connection to the node. It tells
// which node a connection comes from by its source IP (each node dials
// from its own loopback IP; clients from others) and cuts the nodes it is
// told to: their open connections are closed and their new ones are
// accepted but black-holed (never forwarded, never answered) until the
// cut is lifted.
type proxy struct {
	lis     net.Listener
	target  string
	sources map[string]int // source IP -> node id

	mu     sync.Mutex
	cut    map[int]bool
	links  map[*link]bool
	closed bool
	wg     sync.WaitGroup
}

// link is one accepted connection; up is nil while it is not forwarded.
type link struct {
	from     int
	down, up net.Conn
	dead     bool
}

func newProxy(lis net.Listener, target string, sources map[string]int) *proxy {
	p := &proxy{lis: lis, target: target, sources: sources, cut: map[int]bool{}, links: map[*link]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.lis.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.handle(c)
	}
}

// handle forwards c to the target, or holds it while its source is cut.
func (p *proxy) handle(c net.Conn) {
	defer p.wg.Done()
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	l := &link{from: p.sources[host], down: c}
	cut, ok := p.add(l)
	if !ok {
		c.Close()
		return
	}
	defer p.remove(l)
	if cut {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	up, err := net.DialTimeout("tcp", p.target, time.Second)
	if err != nil {
		c.Close()
		return
	}
	if !p.attach(l, up) {
		up.Close()
		c.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
}

// add registers l and reports whether its source is cut; false when the
// proxy is closed.
func (p *proxy) add(l *link) (cut, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false, false
	}
	p.links[l] = true
	return p.cut[l.from], true
}

// attach records l's upstream connection, unless l was cut meanwhile.
func (p *proxy) attach(l *link, up net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.dead || p.cut[l.from] || p.closed {
		return false
	}
	l.up = up
	return true
}

func (p *proxy) remove(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.links, l)
}

// setCut makes from (node ids) the cut sources: their forwarded
// connections are closed, and held connections of sources no longer cut
// are closed too (their peers reconnect).
func (p *proxy) setCut(from map[int]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = from
	for l := range p.links {
		if from[l.from] == (l.up == nil) {
			continue // forwarded and not cut, or held and still cut
		}
		l.dead = true
		l.down.Close()
		if l.up != nil {
			l.up.Close()
		}
	}
}

// Close stops the proxy and closes every connection.
func (p *proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.lis.Close()
	for l := range p.links {
		l.dead = true
		l.down.Close()
		if l.up != nil {
			l.up.Close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}
