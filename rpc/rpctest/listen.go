package rpctest

import (
	"fmt"
	"net"
	"time"
)

// ReserveAddrs picks n free loopback addresses. Nodes list their peers
// before any of them starts, so ports must be known in advance; another
// process may still take one before its node binds it, which Listen's
// retry covers only if the port is freed again, so tests keep the
// listeners ReserveListeners returns where they can.
func ReserveAddrs(n int) ([]string, error) {
	lis, err := ReserveListeners(n)
	if err != nil {
		return nil, err
	}
	addrs := make([]string, n)
	for i, l := range lis {
		addrs[i] = l.Addr().String()
		l.Close()
	}
	return addrs, nil
}

// ReserveListeners opens n listeners on free loopback ports.
func ReserveListeners(n int) ([]net.Listener, error) {
	var out []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, o := range out {
				o.Close()
			}
			return nil, fmt.Errorf("rpctest: reserve port: %w", err)
		}
		out = append(out, l)
	}
	return out, nil
}

// Listen binds addr, retrying for up to timeout while it is in use (a
// restarted node's old socket, or a port collision that clears).
func Listen(addr string, timeout time.Duration) (net.Listener, error) {
	deadline := time.Now().Add(timeout)
	for {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			return l, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("rpctest: listen on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
