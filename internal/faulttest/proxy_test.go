package faulttest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// proxy is a TCP proxy on 127.0.0.1 that can be cut (listener and every live
// connection closed, new ones refused) and restored on the same address:
// the database "goes away" for the server without touching the shared
// PostgreSQL.
type proxy struct {
	addr, target string

	mu    sync.Mutex
	ln    net.Listener // nil while cut
	gen   int          // listener generation; connections of an older one are refused
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	p.mu.Lock()
	p.serve(ln)
	p.mu.Unlock()
	t.Cleanup(func() { p.cut(); p.wg.Wait() })
	return p
}

// serve accepts on ln; p.mu is held.
func (p *proxy) serve(ln net.Listener) {
	p.ln = ln
	p.gen++
	gen := p.gen
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.pipe(c, gen) })
		}
	})
}

func (p *proxy) pipe(down net.Conn, gen int) {
	up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		down.Close()
		return
	}
	p.mu.Lock()
	live := p.gen == gen && p.ln != nil
	if live {
		p.conns[down], p.conns[up] = true, true
	}
	p.mu.Unlock()
	if !live {
		down.Close()
		up.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, down); done <- struct{}{} }()
	go func() { io.Copy(down, up); done <- struct{}{} }()
	<-done
	down.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, down)
	delete(p.conns, up)
	p.mu.Unlock()
}

// cut closes the listener and every live connection; until restore,
// connecting to the proxy is refused.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// restore listens again on the same address.
func (p *proxy) restore(t *testing.T) {
	t.Helper()
	var err error
	for range 50 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.mu.Lock()
			p.serve(ln)
			p.mu.Unlock()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
}
