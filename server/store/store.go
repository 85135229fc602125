// Package store keeps DevOps Channels' state in its own prefixed PostgreSQL tables.
package store

import (
	"context"
	"database/sql"
	"embed"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the PostgreSQL advisory lock taken while migrating. The plugin
// also holds a cluster mutex; the advisory lock keeps a direct caller (tests, tools) safe too.
const migrationLockID = 0x6465766f7073 // "devops"

// Store is the plugin's SQL store.
type Store struct {
	db *conn
}

// New wraps a database handle. The handle is the server's own database as handed
// out by the plugin API, or a direct connection in tests.
func New(db *sql.DB) *Store {
	return &Store{db: newConn(db)}
}

// DB exposes the handle for tests and benchmarks that seed in bulk.
func (s *Store) DB() *sql.DB {
	return s.db.raw
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, errors.Wrap(err, "read embedded migrations")
	}
	var out []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			return nil, errors.Errorf("migration %q has no numeric prefix", e.Name())
		}
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, errors.Wrapf(err, "migration %q", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, errors.Wrapf(err, "read migration %q", e.Name())
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, errors.Errorf("two migrations share version %d", out[i].version)
		}
	}
	return out, nil
}

// Migrate applies, in order, every embedded migration not yet recorded. Each one runs
// in its own transaction together with its bookkeeping row, so a crash leaves either
// all of a migration or none of it. It is safe to call on every activation.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	// Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog,
	// so the bookkeeping table is created under the same lock as the migrations.
	err = s.inTx(ctx, "create migrations table", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
			return errors.Wrap(err, "lock migrations")
		}
		_, err := tx.Tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS devops_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL
		)`)
		return errors.Wrap(err, "create migrations table")
	})
	if err != nil {
		return nil, err
	}
	for _, m := range migrations {
		done, err := s.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, m migration) (bool, error) {
	// Migrations run unprepared: a migration file holds several statements.
	tx, err := s.db.raw.BeginTx(ctx, nil)
	if err != nil {
		return false, errors.Wrap(err, "begin migration")
	}
	defer func() { _ = tx.Rollback() }()
	if _, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
		return false, errors.Wrap(err, "lock migrations")
	}
	var exists bool
	if err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM devops_migrations WHERE version = $1)`, m.version).Scan(&exists); err != nil {
		return false, errors.Wrapf(err, "check migration %s", m.name)
	}
	if exists {
		return false, nil
	}
	if _, err = tx.ExecContext(ctx, m.sql); err != nil {
		return false, errors.Wrapf(err, "apply migration %s", m.name)
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO devops_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, nowMillis()); err != nil {
		return false, errors.Wrapf(err, "record migration %s", m.name)
	}
	if err = tx.Commit(); err != nil {
		return false, errors.Wrapf(err, "commit migration %s", m.name)
	}
	return true, nil
}

// AppliedMigrations lists the recorded migration versions in order.
func (s *Store) AppliedMigrations(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM devops_migrations ORDER BY version`)
	if err != nil {
		return nil, errors.Wrap(err, "list migrations")
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, errors.Wrap(err, "scan migration")
		}
		out = append(out, v)
	}
	return out, errors.Wrap(rows.Err(), "list migrations")
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *txn) error) error {
	tx, err := s.db.begin(ctx)
	if err != nil {
		return errors.Wrapf(err, "begin %s", what)
	}
	defer tx.end(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return errors.Wrapf(tx.Commit(), "commit %s", what)
}
