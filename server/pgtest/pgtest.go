// Package pgtest gives tests a fresh, real PostgreSQL database of their own.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"testing"

	_ "github.com/lib/pq" // PostgreSQL driver for database/sql
	"github.com/pkg/errors"
)

// DefaultAdminURL is the superuser connection `make pg-up` creates.
const DefaultAdminURL = "postgres://devops:devops@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL is the connection used to create and drop test databases: $DEVOPS_PG_URL or the default.
func AdminURL() string {
	if u := os.Getenv("DEVOPS_PG_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// CreateDatabase creates an empty database with a unique name derived from prefix and
// returns its connection URL and a function that drops it.
func CreateDatabase(prefix string) (dsn string, drop func() error, err error) {
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	return OpenOrCreateDatabase(prefix + "_" + hex.EncodeToString(suffix))
}

// OpenOrCreateDatabase creates the named database unless it exists and returns its
// connection URL and a function that drops it.
func OpenOrCreateDatabase(name string) (dsn string, drop func() error, err error) {
	if !validName.MatchString(name) {
		return "", nil, errors.Errorf("database name %q: use lower-case letters, digits and _", name)
	}
	admin, err := sql.Open("postgres", AdminURL())
	if err != nil {
		return "", nil, errors.Wrap(err, "open admin connection")
	}
	if err = admin.Ping(); err != nil {
		_ = admin.Close()
		return "", nil, errors.Wrapf(err, "reach PostgreSQL at %s (run `make pg-up`)", redact(AdminURL()))
	}
	var exists bool
	if err = admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		_ = admin.Close()
		return "", nil, errors.Wrap(err, "look up database")
	}
	if !exists {
		if _, err = admin.Exec(`CREATE DATABASE ` + name); err != nil {
			_ = admin.Close()
			return "", nil, errors.Wrapf(err, "create database %s", name)
		}
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		_ = admin.Close()
		return "", nil, errors.Wrap(err, "parse admin URL")
	}
	u.Path = "/" + name
	drop = func() error {
		defer admin.Close()
		_, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		return errors.Wrapf(err, "drop database %s", name)
	}
	return u.String(), drop, nil
}

// NewDatabase returns a connection to a fresh database that is dropped when the test ends.
func NewDatabase(tb testing.TB) *sql.DB {
	tb.Helper()
	dsn, drop, err := CreateDatabase("devops_test")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		tb.Fatalf("pgtest: open %v", err)
	}
	tb.Cleanup(func() {
		_ = db.Close()
		if err := drop(); err != nil {
			tb.Logf("pgtest: %v", err)
		}
	})
	return db
}

var validName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparseable URL>"
	}
	return u.Redacted()
}
