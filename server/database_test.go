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
	var app, mode string
	require.NoError(t, db.QueryRow(`SELECT current_setting('application_name'), current_setting('plan_cache_mode')`).Scan(&app, &mode))
	require.Equal(t, "devops-channels", app)
	require.Equal(t, "force_generic_plan", mode)
}

func TestWithSessionSettings(t *testing.T) {
	for dsn, want := range map[string]string{
		"postgres://mm:pw@db:5432/mattermost?sslmode=disable": "postgres://mm:pw@db:5432/mattermost?application_name=devops-channels&plan_cache_mode=force_generic_plan&sslmode=disable",
		"host=db user=mm dbname=mattermost":                   "host=db user=mm dbname=mattermost application_name=devops-channels plan_cache_mode=force_generic_plan",
		"postgres://db/mm?application_name=mine":              "postgres://db/mm?application_name=mine&plan_cache_mode=force_generic_plan",
	} {
		require.Equal(t, want, withSessionSettings(dsn))
	}
}
