package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
)

// Statements run prepared, once per query text; the cache stays bounded by evicting
// the least recently used, and every query beyond the bound still runs.
func TestPreparedStatementsAreCachedAndBounded(t *testing.T) {
	ctx := context.Background()
	c := newConn(pgtestDB(t))
	text := func(i int) string { return fmt.Sprintf(`SELECT $1::int + %d`, i) }
	for i := range maxPrepared + 20 {
		var got int
		require.NoError(t, c.QueryRowContext(ctx, text(i), 1).Scan(&got))
		require.Equal(t, i+1, got)
	}
	require.Len(t, c.stmts, maxPrepared)
	require.Equal(t, maxPrepared, c.lru.Len())
	require.NotContains(t, c.stmts, text(0), "the least recently used went")
	require.Contains(t, c.stmts, text(maxPrepared+19), "the newest is cached")

	var got int
	require.NoError(t, c.QueryRowContext(ctx, text(maxPrepared), 41).Scan(&got))
	require.Equal(t, 41+maxPrepared, got)
	require.Len(t, c.stmts, maxPrepared, "a cached text is reused")
}

// A statement evicted while a call runs on it is closed only when that call is done.
func TestEvictedStatementStaysOpenForItsCall(t *testing.T) {
	ctx := context.Background()
	c := newConn(pgtestDB(t))
	st, release := c.stmt(ctx, `SELECT $1::int`, true)
	require.NotNil(t, st)
	for i := range maxPrepared {
		_, r := c.stmt(ctx, fmt.Sprintf(`SELECT $1::int + %d`, i), true)
		r()
	}
	require.NotContains(t, c.stmts, `SELECT $1::int`, "evicted")
	var got int
	require.NoError(t, st.QueryRowContext(ctx, 7).Scan(&got), "still open for its caller")
	require.Equal(t, 7, got)
	release()
	require.Error(t, st.QueryRowContext(ctx, 7).Scan(&got), "closed once its caller is done")
}

// A client's page size never makes a new statement: a hundred distinct per_page
// values of the list and the timeline leave a handful of texts in the cache.
func TestPageSizesDoNotGrowTheStatementCache(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := teamWithMember(t, s)
	w := newWorkflow(team, "incident", 1, 1)
	require.NoError(t, s.CreateWorkflow(ctx, w, []app.TimelineEvent{{Type: app.EventCreated, ActorID: "lead"}}))

	list := func(perPage int) {
		items, _, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: perPage})
		require.NoError(t, err)
		require.Len(t, items, 1)
		events, _, err := s.ListTimeline(ctx, w.ID, "", perPage, false)
		require.NoError(t, err)
		require.Len(t, events, 1)
	}
	list(1)
	before := len(s.db.stmts)
	for perPage := 1; perPage <= 200; perPage += 2 {
		list(perPage)
	}
	// Page sizes 1..200 ask for 2..201 rows: LIMIT 8, 16, 32, 64, 128 or 256.
	require.LessOrEqual(t, len(s.db.stmts), before+2*5, "at most five more LIMIT sizes per query")
}

// teamWithMember returns a new team's id and a member's.
func teamWithMember(t *testing.T, s *Store) (team, viewer string) {
	t.Helper()
	team, viewer = model.NewId(), model.NewId()
	_, err := s.DB().Exec(`INSERT INTO teammembers VALUES ($1, $2, false, 0)`, team, viewer)
	require.NoError(t, err)
	return team, viewer
}

// Pages still hold exactly per_page items, the next cursor where more are left.
func TestPagesTrimToTheirSize(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	team, viewer := teamWithMember(t, s)
	for i := 1; i <= 12; i++ {
		require.NoError(t, s.CreateWorkflow(ctx, newWorkflow(team, "incident", i, int64(i)), nil))
	}
	seen := 0
	cursor := ""
	for pages := 0; ; pages++ {
		items, next, err := s.ListWorkflows(ctx, app.ListFilter{TeamID: team, ViewerID: viewer, ReadsPublic: true, PerPage: 5, Cursor: cursor})
		require.NoError(t, err)
		require.LessOrEqual(t, len(items), 5)
		seen += len(items)
		if next == "" {
			require.Equal(t, 2, pages)
			break
		}
		require.Len(t, items, 5)
		cursor = next
	}
	require.Equal(t, 12, seen)
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
		st, release := c.stmt(ctx, query, true)
		require.NotNil(t, st)
		release()
		_, err := db.Exec(`DEALLOCATE ALL`)
		require.NoError(t, err)
		got = 0
		require.NoError(t, run())
		require.True(t, c.disabled.Load(), "the cache is off after a lost statement")
		require.Empty(t, c.stmts)
		require.Equal(t, 6, got)
	}
}
