package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// Statements run prepared, once per query text; the cache stays bounded and every
// query beyond the bound still runs.
func TestPreparedStatementsAreCachedAndBounded(t *testing.T) {
	ctx := context.Background()
	c := newConn(pgtestDB(t))
	for i := range maxPrepared + 20 {
		var got int
		require.NoError(t, c.QueryRowContext(ctx, fmt.Sprintf(`SELECT $1::int + %d`, i), 1).Scan(&got))
		require.Equal(t, i+1, got)
	}
	require.Len(t, c.stmts, maxPrepared)

	var got int
	require.NoError(t, c.QueryRowContext(ctx, `SELECT $1::int + 0`, 41).Scan(&got))
	require.Equal(t, 41, got)
	require.Len(t, c.stmts, maxPrepared, "a cached text is reused")
}

// A connection that lost its prepared statements (what PgBouncer in transaction mode
// does) still answers: the statement runs unprepared and the cache turns itself off.
func TestLostPreparedStatementsFallBackToUnprepared(t *testing.T) {
	ctx := context.Background()
	db := pgtestDB(t)
	db.SetMaxOpenConns(1) // one connection, so DEALLOCATE reaches the statements' session
	c := newConn(db)
	const query = `SELECT $1::int * 2`
	var got int
	require.NoError(t, c.QueryRowContext(ctx, query, 2).Scan(&got))
	require.Equal(t, 4, got)

	for _, run := range []func() error{
		func() error { return c.QueryRowContext(ctx, query, 3).Scan(&got) },
		func() error {
			rows, err := c.QueryContext(ctx, query, 3)
			if err != nil {
				return err
			}
			defer rows.Close()
			rows.Next()
			return rows.Scan(&got)
		},
		func() error {
			res, err := c.ExecContext(ctx, `SELECT $1::int * 2`, 3)
			if err == nil {
				var n int64
				n, err = res.RowsAffected()
				got = int(n) * 6
			}
			return err
		},
	} {
		c.disabled.Store(false)
		require.NotNil(t, c.stmt(ctx, query))
		_, err := db.Exec(`DEALLOCATE ALL`)
		require.NoError(t, err)
		got = 0
		require.NoError(t, run())
		require.True(t, c.disabled.Load(), "the cache is off after a lost statement")
		require.Empty(t, c.stmts)
		require.Equal(t, 6, got)
	}
}
