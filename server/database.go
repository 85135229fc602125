package main

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/config"

	// lib/pq is the driver Mattermost's own DataSource is written for.
	_ "github.com/lib/pq"
)

// database is the plugin's handle on Mattermost's PostgreSQL database and how it
// was reached.
type database struct {
	db *sql.DB
	// direct is true for the plugin's own pool, which it closes on deactivation;
	// false for the server's connection, which pluginapi's StoreService owns.
	direct bool
}

// openDatabase reaches the database the way the settings ask.
//
// Why a pool of our own: the plugin API's handle (Store.GetMasterDB) sends every
// driver call — query, each row, columns, close — as an RPC to the server process
// and back. A /devops info that reads one aggregated row paid ~2.5 ms for that
// against ~0.3 ms for the same query on a direct connection (make bench, issue 7).
// The pool is small (DatabasePoolSize) and follows the server's SqlSettings for
// lifetime and timeouts. With DatabasePoolSize 0, or when the direct connection
// cannot be made (the plugin process sees the same network as the server, so that
// means a misconfiguration), the server's connection is used and the log says why.
func (p *Plugin) openDatabase(poolSize int) (*database, error) {
	if poolSize > 0 {
		db, err := openDirect(p.API.GetUnsanitizedConfig(), poolSize)
		if err == nil {
			return &database{db: db, direct: true}, nil
		}
		p.client.Log.Warn("DevOps Channels could not open its own database pool; using the server's connection, which is slower",
			"err", err.Error())
	}
	db, err := p.client.Store.GetMasterDB()
	if err != nil {
		return nil, errors.Wrap(err, "get the server's database connection")
	}
	return &database{db: db}, nil
}

// openDirect opens a pool of at most poolSize connections on the server's
// DataSource and checks it answers.
func openDirect(cfg *model.Config, poolSize int) (*sql.DB, error) {
	if cfg == nil || cfg.SqlSettings.DriverName == nil || cfg.SqlSettings.DataSource == nil {
		return nil, errors.New("the server's SqlSettings are not available")
	}
	if driver := *cfg.SqlSettings.DriverName; driver != model.DatabaseDriverPostgres {
		return nil, errors.Errorf("the server's database driver is %q; DevOps Channels needs %q", driver, model.DatabaseDriverPostgres)
	}
	db, err := sql.Open("postgres", withSessionSettings(*cfg.SqlSettings.DataSource))
	if err != nil {
		return nil, errors.Wrap(err, "open the database pool")
	}
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	if ms := cfg.SqlSettings.ConnMaxLifetimeMilliseconds; ms != nil && *ms > 0 {
		db.SetConnMaxLifetime(time.Duration(*ms) * time.Millisecond)
	}
	if ms := cfg.SqlSettings.ConnMaxIdleTimeMilliseconds; ms != nil && *ms > 0 {
		db.SetConnMaxIdleTime(time.Duration(*ms) * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, errors.Wrap(err, "reach the database")
	}
	return db, nil
}

// sessionSettings are set on every connection of the pool.
//   - application_name tags the connections in pg_stat_activity, so a DBA can tell
//     the plugin's from the server's.
//   - plan_cache_mode=force_generic_plan: the store's statements are prepared (see
//     store.conn), and PostgreSQL's automatic choice kept planning the list query
//     again on every run (~0.3 ms of a 0.5 ms query at 100k workflows, statement
//     log) although its generic plan is the same index scan. The store's queries are
//     lookups by id, team, channel and status on indexes, for which a generic plan
//     is the custom plan (store tests check the plans).
var sessionSettings = [][2]string{
	{"application_name", "devops-channels"},
	{"plan_cache_mode", "force_generic_plan"},
}

// withSessionSettings adds sessionSettings to a DataSource in either of lib/pq's
// forms (URL or key=value), leaving any the administrator set.
func withSessionSettings(dsn string) string {
	u, err := url.Parse(dsn)
	isURL := err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql")
	var q url.Values
	if isURL {
		q = u.Query()
	}
	for _, kv := range sessionSettings {
		if strings.Contains(dsn, kv[0]) {
			continue
		}
		if isURL {
			q.Set(kv[0], kv[1])
		} else {
			dsn = strings.TrimSpace(dsn) + " " + kv[0] + "=" + kv[1]
		}
	}
	if isURL {
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn
}

// close releases the plugin's own pool; the server's handle is left to pluginapi.
func (d *database) close() error {
	if d == nil || !d.direct {
		return nil
	}
	return errors.Wrap(d.db.Close(), "close the database pool")
}

// storedPoolSize is the stored DatabasePoolSize, or the default when it is not a
// valid one: the pool opens before the rest of the configuration is judged.
func storedPoolSize(entry map[string]any) int {
	c, errs := config.DecodeFields(entry)
	for _, e := range errs {
		if e.Field == "DatabasePoolSize" {
			return config.DefaultDatabasePoolSize
		}
	}
	if c.DatabasePoolSize < 0 || c.DatabasePoolSize > config.MaxDatabasePoolSize {
		return config.DefaultDatabasePoolSize
	}
	return int(c.DatabasePoolSize)
}
