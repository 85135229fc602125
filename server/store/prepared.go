package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lib/pq"
	"github.com/pkg/errors"
)

// maxPrepared bounds the statement cache. The store's statements are a fixed set
// plus the filter combinations of a list (a few dozen); the bound only guards
// against a future caller that builds unbounded query texts.
const maxPrepared = 256

// conn runs the store's statements as prepared statements, cached by query text.
//
// Why: PostgreSQL plans a parameterized query at bind time. The workflow reads
// aggregate a workflow and its roles, sign-offs, tasks and the viewer's facts in one
// statement, and planning it took ~0.65 ms against ~0.07 ms to execute it (server
// log with log_min_duration_statement=0, make bench). A prepared statement is
// parsed once per connection, and after five executions PostgreSQL keeps a generic
// plan, so a /devops info pays execution only. database/sql prepares a cached
// statement again on each connection of the pool as needed.
//
// A pooler that drops prepared statements (PgBouncer in transaction mode before
// 1.21) answers "prepared statement does not exist"; the cache then turns itself
// off for this process and the statement runs unprepared.
type conn struct {
	raw      *sql.DB
	mu       sync.Mutex
	stmts    map[string]*sql.Stmt
	disabled atomic.Bool
}

func newConn(db *sql.DB) *conn {
	return &conn{raw: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for query, or nil to run it unprepared: the
// cache is off or full, or preparing failed (running it unprepared then reports
// the same failure in the caller's terms). mu is not held while preparing, which
// waits for a free connection of the pool: a transaction looking up a cached
// statement must never wait behind it (see Store.ReserveWorkflow).
func (c *conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.disabled.Load() {
		return nil
	}
	c.mu.Lock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxPrepared
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := c.raw.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok { // prepared meanwhile by another caller
		_ = st.Close()
		return prev
	}
	c.stmts[query] = st
	return st
}

// prepare puts queries in the cache, for a transaction that must not wait for a
// second connection to prepare them while it holds a lock others wait on.
func (c *conn) prepare(ctx context.Context, queries ...string) {
	for _, q := range queries {
		c.stmt(ctx, q)
	}
}

// lost reports whether err says the server no longer knows a prepared statement,
// and if so turns the cache off.
func (c *conn) lost(err error) bool {
	var pqErr *pq.Error
	gone := errors.As(err, &pqErr) && pqErr.Code == "26000" ||
		err != nil && strings.Contains(err.Error(), "prepared statement") && strings.Contains(err.Error(), "does not exist")
	if gone && !c.disabled.Swap(true) {
		c.mu.Lock()
		for q, st := range c.stmts {
			_ = st.Close()
			delete(c.stmts, q)
		}
		c.mu.Unlock()
	}
	return gone
}

// row is a single-row result whose Scan runs the query again unprepared when the
// prepared statement was lost: with QueryRow, errors surface only at Scan.
type row struct {
	row   *sql.Row
	retry func() *sql.Row // nil: no retry (unprepared, or inside a transaction)
	c     *conn
}

func (r *row) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if r.c.lost(err) && r.retry != nil {
		return r.retry().Scan(dest...)
	}
	return err
}

func (c *conn) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	unprepared := func() *sql.Row { return c.raw.QueryRowContext(ctx, query, args...) }
	if st := c.stmt(ctx, query); st != nil {
		return &row{row: st.QueryRowContext(ctx, args...), retry: unprepared, c: c}
	}
	return unprepared()
}

func (c *conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		if !c.lost(err) {
			return rows, err
		}
	}
	return c.raw.QueryContext(ctx, query, args...)
}

func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		if !c.lost(err) {
			return res, err
		}
	}
	return c.raw.ExecContext(ctx, query, args...)
}

// limitClause renders a LIMIT clause with the number written into the statement, for
// the prepared statements above: PostgreSQL keeps a generic plan only when its
// estimated cost is close to a custom plan's, and a generic plan cannot know a
// LIMIT given as a parameter, so it looks hundreds of times dearer and the query
// was planned again on every run (~0.25 ms for a list page at 100k workflows,
// EXPLAIN ANALYZE). Callers pass a number the code chose and bounded, so the
// distinct texts stay few.
func limitClause(n int) string {
	return " LIMIT " + strconv.Itoa(n)
}

// begin starts a transaction whose statements use the cache too.
func (c *conn) begin(ctx context.Context) (*txn, error) {
	tx, err := c.raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, c: c}, nil
}

// txn is a transaction running cached statements on its own connection.
// A lost statement inside a transaction aborts it, so there is no retry here: the
// error reaches the caller and the cache is off for the next attempt.
type txn struct {
	*sql.Tx
	c *conn
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	if st := t.c.stmt(ctx, query); st != nil {
		return &row{row: t.StmtContext(ctx, st).QueryRowContext(ctx, args...), c: t.c}
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.stmt(ctx, query); st != nil {
		rows, err := t.StmtContext(ctx, st).QueryContext(ctx, args...)
		t.c.lost(err)
		return rows, err
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.c.stmt(ctx, query); st != nil {
		res, err := t.StmtContext(ctx, st).ExecContext(ctx, args...)
		t.c.lost(err)
		return res, err
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
