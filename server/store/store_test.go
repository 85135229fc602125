package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/pgtest"
)

func pgtestDB(t *testing.T) *sql.DB {
	return pgtest.NewDatabase(t)
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s := New(pgtest.NewDatabase(t))

	applied, err := s.Migrate(ctx)
	require.NoError(t, err)
	all, err := loadMigrations()
	require.NoError(t, err)
	require.Len(t, applied, len(all), "a fresh database gets every migration")

	again, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, again, "a second run applies nothing")

	versions, err := s.AppliedMigrations(ctx)
	require.NoError(t, err)
	require.Len(t, versions, len(all))

	var tables int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'devops\_%'`).Scan(&tables))
	require.GreaterOrEqual(t, tables, 6)
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := New(db).Migrate(ctx)
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	versions, err := New(db).AppliedMigrations(ctx)
	require.NoError(t, err)
	all, err := loadMigrations()
	require.NoError(t, err)
	require.Len(t, versions, len(all), "each migration recorded exactly once")
}
