package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventChannel is the PostgreSQL NOTIFY channel for application events.
// Channels are per database, not per schema, so a store in another schema
// than public gets its own channel (tests and side-by-side installations
// share one database).
const EventChannel = "jiefen_events"

func eventChannel(schema string) string {
	if schema == "" || schema == "public" {
		return EventChannel
	}
	name := EventChannel + "_" + schema
	if len(name) > 63 { // PostgreSQL's identifier limit
		sum := sha256.Sum256([]byte(schema))
		name = EventChannel + "_" + hex.EncodeToString(sum[:8])
	}
	return name
}

// Publish queues payload for the other instances on the event channel. On
// PostgreSQL it is a NOTIFY inside the transaction, so it is delivered only
// if and when the transaction commits; on SQLite, where one process owns the
// database, it does nothing.
func (tx *Tx) Publish(ctx context.Context, payload string) error {
	if tx.s.channel == "" {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_notify($1, $2)`, tx.s.channel, payload)
	return wrap(err, "publish event")
}

// Listener receives what Publish sends, from every instance on the database
// (this one included).
type Listener struct {
	Notify    func(payload string)
	Connected func()                                 // after each (re)connection: events in between were lost
	Failed    func(err error, retryIn time.Duration) // the connection failed; the next try is in retryIn
}

// Listen holds one dedicated connection listening on the event channel
// until ctx ends, reconnecting with a backoff of 1 s doubling to 30 s. On
// SQLite it returns at once.
func (s *Store) Listen(ctx context.Context, l Listener) {
	if s.channel == "" {
		return
	}
	backoff := time.Second
	for {
		connected, err := s.listenOnce(ctx, l)
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = time.Second
		}
		if l.Failed != nil {
			l.Failed(err, backoff)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, l Listener) (connected bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(cctx, s.dsn)
	cancel()
	if err != nil {
		return false, fmt.Errorf("store: listen: connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("store: listen: %w", err)
	}
	if l.Connected != nil {
		l.Connected()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return true, nil
			}
			return true, fmt.Errorf("store: listen: %w", err)
		}
		if l.Notify != nil {
			l.Notify(n.Payload)
		}
	}
}
