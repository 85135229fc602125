// Command devops-run runs DevOps Channels for a person to try: PostgreSQL, a real
// Mattermost server with the plugin installed and a demo team with users of every
// discipline. `make run` starts it in the background; `make stop` ends it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/devopschannels/devops-channels/build/harness"
)

// demoUsers are one person per discipline, mapped in the plugin settings.
var demoUsers = []struct{ username, discipline, timezone string }{
	{"dana.dev", "developer", "Europe/Berlin"},
	{"quinn.qa", "qa", "America/New_York"},
	{"omar.ops", "operations", "Asia/Kolkata"},
	{"sam.sec", "security", "Europe/London"},
	{"pat.pm", "project-manager", "America/Los_Angeles"},
	{"priya.product", "product-manager", "Asia/Singapore"},
	{"dee.design", "designer", "Australia/Sydney"},
}

func main() {
	dir := flag.String("dir", filepath.Join(harness.RepoRoot(), "build", ".run"), "server directory (config, logs, files)")
	port := flag.Int("port", 8065, "port to listen on")
	db := flag.String("db", "devops_run", "database name (kept between runs)")
	flag.Parse()

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fail(err)
	}
	srv, err := harness.Start(harness.Options{Dir: *dir, Port: *port, Database: *db, Log: os.Stdout, Detached: true})
	if err != nil {
		fail(err)
	}
	token, err := seed(srv)
	if err != nil {
		srv.Stop()
		fail(err)
	}
	info := fmt.Sprintf(`DevOps Channels is running.

  URL:    %s
  Login:  admin / %s   (demo users: %s — same password)
  Token:  %s
  Team:   %s/demo

  Try:    curl -s -H "Authorization: Bearer %s" %s/plugins/devops-channels/api/v1/workflows?team_id=...
  Logs:   %s/logs/mattermost.log
  Stop:   make stop
`, srv.URL, harness.Password, usernames(), token, srv.URL, token, srv.URL, *dir)
	if err := os.WriteFile(filepath.Join(*dir, "info.txt"), []byte(info), 0o600); err != nil {
		srv.Stop()
		fail(err)
	}
	fmt.Print(info)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	srv.Stop()
	_ = os.Remove(filepath.Join(*dir, "info.txt"))
}

// seed makes the demo team and users (idempotent on a reused database), maps their
// disciplines and returns a personal access token for the admin.
func seed(srv *harness.Server) (string, error) {
	ctx := context.Background()
	team, _, err := srv.Admin.GetTeamByName(ctx, "demo", "")
	if err != nil {
		if team, err = srv.CreateTeam("demo"); err != nil {
			return "", err
		}
	}
	if _, _, err := srv.Admin.AddTeamMember(ctx, team.Id, srv.AdminUser.Id); err != nil {
		return "", fmt.Errorf("add admin to demo team: %w", err)
	}
	var mapping []string
	for _, d := range demoUsers {
		u, _, err := srv.Admin.GetUserByUsername(ctx, d.username, "")
		if err != nil {
			if u, _, err = srv.CreateUser(d.username, team.Id); err != nil {
				return "", err
			}
		}
		u.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": d.timezone}
		if _, _, err := srv.Admin.UpdateUser(ctx, u); err != nil {
			return "", fmt.Errorf("set time zone of %s: %w", d.username, err)
		}
		mapping = append(mapping, d.username+": "+d.discipline)
	}
	if err := srv.SetPluginSetting("disciplinemapping", strings.Join(mapping, "\n")); err != nil {
		return "", err
	}
	tok, _, err := srv.Admin.CreateUserAccessToken(ctx, srv.AdminUser.Id, "make run")
	if err != nil {
		return "", fmt.Errorf("create access token: %w", err)
	}
	return tok.Token, nil
}

func usernames() string {
	names := make([]string, len(demoUsers))
	for i, d := range demoUsers {
		names[i] = d.username
	}
	return strings.Join(names, ", ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devops-run:", err)
	os.Exit(1)
}
