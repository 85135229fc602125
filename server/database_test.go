package main

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/pgtest"
)

func sqlConfig(driver, dsn string) *model.Config {
	cfg := &model.Config{}
	cfg.SetDefaults()
	cfg.SqlSettings.DriverName = model.NewPointer(driver)
	cfg.SqlSettings.DataSource = model.NewPointer(dsn)
	return cfg
}

// The plugin's own pool opens on the server's DataSource, capped at the setting.
func TestOpenDirectUsesTheServersDataSource(t *testing.T) {
	dsn, drop, err := pgtest.CreateDatabase("devops_direct")
	require.NoError(t, err)
	t.Cleanup(func() { _ = drop() })

	db, err := openDirect(sqlConfig(model.DatabaseDriverPostgres, dsn), 3)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.Equal(t, 3, db.Stats().MaxOpenConnections)
	var app string
	require.NoError(t, db.QueryRow(`SELECT current_setting('application_name')`).Scan(&app))
	require.Equal(t, applicationName, app)
}

func TestWithApplicationName(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://mm:pw@db:5432/mattermost?sslmode=disable": "postgres://mm:pw@db:5432/mattermost?application_name=devops-channels&sslmode=disable",
		"host=db user=mm dbname=mattermost":                   "host=db user=mm dbname=mattermost application_name=devops-channels",
		"postgres://db/mm?application_name=mine":              "postgres://db/mm?application_name=mine",
	} {
		require.Equal(t, want, withApplicationName(dsn))
	}
}

// A pool that cannot be had is an error (the caller falls back to the server's
// connection), never a handle that fails later.
func TestOpenDirectRefusesWhatItCannotUse(t *testing.T) {
	_, err := openDirect(sqlConfig("mysql", "user:pw@tcp(localhost:3306)/mm"), 3)
	require.ErrorContains(t, err, `database driver is "mysql"`)

	_, err = openDirect(sqlConfig(model.DatabaseDriverPostgres, "postgres://nobody:wrong@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"), 3)
	require.ErrorContains(t, err, "reach the database")

	_, err = openDirect(nil, 3)
	require.Error(t, err)
}
