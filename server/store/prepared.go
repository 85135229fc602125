package store

import (
	"container/list"
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lib/pq"
	"github.com/pkg/errors"
)

// maxPrepared bounds the statement cache; the least recently used statement makes
// room for a new one. The store's statements are a fixed set, the filter combinations
// of a list and a few LIMIT sizes (limitAtLeast): a few dozen in use.
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
// No query text holds a client's input (see limitAtLeast), and the cache evicts, so
// no client can grow it. A statement is closed once evicted and no call is running
// on it.
//
// A pooler that drops prepared statements (PgBouncer in transaction mode before
// 1.21) answers "prepared statement does not exist"; the cache then turns itself
// off for this process and the statement runs unprepared.
type conn struct {
	raw      *sql.DB
	mu       sync.Mutex
	stmts    map[string]*cached
	lru      *list.List // of *cached, the most recently used first
	disabled atomic.Bool
}

// cached is a prepared statement in the cache.
type cached struct {
	query   string
	stmt    *sql.Stmt
	elem    *list.Element
	users   int  // calls running on stmt
	evicted bool // out of the cache: closed when the last user is done
}

func newConn(db *sql.DB) *conn {
	return &conn{raw: db, stmts: map[string]*cached{}, lru: list.New()}
}

func noRelease() {}

// stmt returns the prepared statement for query and a release to call when the call
// on it returns (Rows and Row keep a closed statement alive until they are done), or
// nil to run the query unprepared: the cache is off, or preparing failed (running
// it unprepared then reports the same failure in the caller's terms). On a miss,
// prepare says whether to prepare it now, which takes a free connection of the
// pool: a transaction must not, as it would wait for a second connection holding
// its first.
func (c *conn) stmt(ctx context.Context, query string, prepare bool) (*sql.Stmt, func()) {
	if c.disabled.Load() {
		return nil, noRelease
	}
	c.mu.Lock()
	if e, ok := c.stmts[query]; ok {
		defer c.mu.Unlock()
		return c.use(e)
	}
	c.mu.Unlock()
	if !prepare {
		return nil, noRelease
	}
	// Prepared outside the lock: waiting for a connection must not stall the
	// statements already cached.
	st, err := c.raw.PrepareContext(ctx, query)
	if err != nil {
		return nil, noRelease
	}
	c.mu.Lock()
	e, ok := c.stmts[query]
	var closing []*sql.Stmt
	if ok { // prepared meanwhile by another call
		closing = append(closing, st)
	} else {
		e = &cached{query: query, stmt: st}
		e.elem = c.lru.PushFront(e)
		c.stmts[query] = e
		for c.lru.Len() > maxPrepared {
			closing = append(closing, c.evict(c.lru.Back().Value.(*cached))...)
		}
	}
	st, release := c.use(e)
	c.mu.Unlock()
	closeAll(closing)
	return st, release
}

// use marks e used by one more call; c.mu is held.
func (c *conn) use(e *cached) (*sql.Stmt, func()) {
	c.lru.MoveToFront(e.elem)
	e.users++
	return e.stmt, func() {
		c.mu.Lock()
		e.users--
		done := e.evicted && e.users == 0
		c.mu.Unlock()
		if done {
			_ = e.stmt.Close()
		}
	}
}

// evict takes e out of the cache and returns its statement to close if no call is
// running on it; c.mu is held.
func (c *conn) evict(e *cached) []*sql.Stmt {
	delete(c.stmts, e.query)
	c.lru.Remove(e.elem)
	e.evicted = true
	if e.users > 0 {
		return nil
	}
	return []*sql.Stmt{e.stmt}
}

func closeAll(stmts []*sql.Stmt) {
	for _, st := range stmts {
		_ = st.Close()
	}
}

// prepareAll caches statements: those a transaction ran unprepared, once its
// connection is back in the pool, and those a transaction will run while it holds a
// lock others wait on (it must not wait then for a second connection to prepare them).
func (c *conn) prepareAll(ctx context.Context, queries []string) {
	for _, q := range queries {
		_, release := c.stmt(ctx, q, true)
		release()
	}
}

// lost reports whether err says the server no longer knows a prepared statement,
// and if so turns the cache off.
func (c *conn) lost(err error) bool {
	var pqErr *pq.Error
	gone := errors.As(err, &pqErr) && pqErr.Code == "26000" ||
		err != nil && strings.Contains(err.Error(), "prepared statement") && strings.Contains(err.Error(), "does not exist")
	if gone && !c.disabled.Swap(true) {
		var closing []*sql.Stmt
		c.mu.Lock()
		for _, e := range c.stmts {
			closing = append(closing, c.evict(e)...)
		}
		c.mu.Unlock()
		closeAll(closing)
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
	st, release := c.stmt(ctx, query, true)
	defer release()
	if st != nil {
		return &row{row: st.QueryRowContext(ctx, args...), retry: unprepared, c: c}
	}
	return unprepared()
}

func (c *conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, release := c.stmt(ctx, query, true)
	defer release()
	if st != nil {
		rows, err := st.QueryContext(ctx, args...)
		if !c.lost(err) {
			return rows, err
		}
	}
	return c.raw.QueryContext(ctx, query, args...)
}

func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, release := c.stmt(ctx, query, true)
	defer release()
	if st != nil {
		res, err := st.ExecContext(ctx, args...)
		if !c.lost(err) {
			return res, err
		}
	}
	return c.raw.ExecContext(ctx, query, args...)
}

// limitAtLeast renders a LIMIT clause of at least n rows, with the number written
// into the statement, for the prepared statements above: PostgreSQL keeps a generic
// plan only when its estimated cost is close to a custom plan's, and a generic plan
// cannot know a LIMIT given as a parameter, so it looks hundreds of times dearer and
// the query was planned again on every run (~0.25 ms for a list page at 100k
// workflows, EXPLAIN ANALYZE). The number is n rounded up to a power of two (at least
// 8), so a client's page size never makes a new query text: callers trim the rows
// beyond n.
func limitAtLeast(n int) string {
	size := 8
	for size < n {
		size *= 2
	}
	return " LIMIT " + strconv.Itoa(size)
}

// begin starts a transaction whose statements use the cache too.
func (c *conn) begin(ctx context.Context) (*txn, error) {
	tx, err := c.raw.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, c: c}, nil
}

// txn is a transaction running cached statements on its own connection. A statement
// not cached yet runs unprepared and is noted in missed, for end to prepare.
// A lost statement inside a transaction aborts it, so there is no retry here: the
// error reaches the caller and the cache is off for the next attempt.
type txn struct {
	*sql.Tx
	c      *conn
	missed []string
}

// stmt returns the transaction's copy of the cached statement for query (prepared on
// the transaction's own connection if need be), or nil.
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, func()) {
	st, release := t.c.stmt(ctx, query, false)
	if st == nil {
		t.missed = append(t.missed, query)
		return nil, release
	}
	return t.StmtContext(ctx, st), release
}

// end rolls back the transaction unless it was committed, which returns its
// connection to the pool, and then caches the statements it missed.
func (t *txn) end(ctx context.Context) {
	_ = t.Rollback()
	t.c.prepareAll(ctx, t.missed)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	st, release := t.stmt(ctx, query)
	defer release()
	if st != nil {
		return &row{row: st.QueryRowContext(ctx, args...), c: t.c}
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, release := t.stmt(ctx, query)
	defer release()
	if st != nil {
		rows, err := st.QueryContext(ctx, args...)
		t.c.lost(err)
		return rows, err
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, release := t.stmt(ctx, query)
	defer release()
	if st != nil {
		res, err := st.ExecContext(ctx, args...)
		t.c.lost(err)
		return res, err
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
