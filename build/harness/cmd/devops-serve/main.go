// Command devops-serve runs a throwaway real Mattermost server with the plugin bundle
// for a test driver in another language (the webapp's real-browser test): a fresh
// database, a team and logged-in users with disciplines and time zones. It prints one
// JSON line describing them, then runs until its standard input closes (or a signal),
// and stops the server. A "keep" line on standard input keeps the server's directory
// (logs) for inspection; otherwise it is removed.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

// User is a seeded user as the driver sees it.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Token    string `json:"token"`
}

// Team is the seeded team.
type Team struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Info is the JSON line printed once the server is ready.
type Info struct {
	URL        string `json:"url"`
	Dir        string `json:"dir"`
	Password   string `json:"password"`
	AdminToken string `json:"admin_token"`
	// WebhookSecret signs CI/CD events for the driver (README, CI/CD webhook).
	WebhookSecret string          `json:"webhook_secret"`
	Team          Team            `json:"team"`
	Users         map[string]User `json:"users"`
}

func main() {
	team := flag.String("team", "browser", "team name")
	users := flag.String("users", "", "comma-separated username[:discipline[:time zone[:full name]]] to create in the team")
	flag.Parse()

	// Progress goes to stderr; stdout carries only the JSON line.
	srv, err := harness.Start(harness.Options{Log: os.Stderr})
	if err != nil {
		fail(err)
	}
	info, err := seed(srv, *team, *users)
	if err != nil {
		srv.Stop()
		fail(err)
	}
	line, err := json.Marshal(info)
	if err != nil {
		srv.Stop()
		fail(err)
	}
	fmt.Println(string(line))

	keep := make(chan bool, 1)
	go func() {
		in := bufio.NewScanner(os.Stdin)
		k := false
		for in.Scan() {
			k = k || strings.TrimSpace(in.Text()) == "keep"
		}
		keep <- k
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	k := false
	select {
	case k = <-keep:
	case <-sig:
	}
	srv.Stop()
	if k {
		fmt.Fprintf(os.Stderr, "devops-serve: server directory kept for inspection: %s\n", srv.Dir)
		return
	}
	_ = os.RemoveAll(srv.Dir)
}

func seed(srv *harness.Server, teamName, spec string) (*Info, error) {
	ctx := context.Background()
	team, err := srv.CreateTeam(teamName)
	if err != nil {
		return nil, err
	}
	if _, _, err := srv.Admin.AddTeamMember(ctx, team.Id, srv.AdminUser.Id); err != nil {
		return nil, errors.Wrap(err, "add admin to team")
	}
	info := &Info{URL: srv.URL, Dir: srv.Dir, Password: harness.Password, AdminToken: srv.Admin.AuthToken, Team: Team{ID: team.Id, Name: team.Name},
		Users: map[string]User{}, WebhookSecret: model.NewId()}
	var mapping []string
	for _, entry := range strings.Split(spec, ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 4)
		u, client, err := srv.CreateUser(parts[0], team.Id)
		if err != nil {
			return nil, err
		}
		if len(parts) > 1 && parts[1] != "" {
			mapping = append(mapping, parts[0]+": "+parts[1])
		}
		if len(parts) > 2 && parts[2] != "" {
			u.Timezone = model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": parts[2]}
		}
		if len(parts) > 3 {
			u.FirstName, u.LastName, _ = strings.Cut(parts[3], " ")
		}
		if len(parts) > 2 {
			if _, _, err := srv.Admin.UpdateUser(ctx, u); err != nil {
				return nil, errors.Wrapf(err, "set time zone and name of %s", parts[0])
			}
		}
		info.Users[parts[0]] = User{ID: u.Id, Username: u.Username, Token: client.AuthToken}
	}
	// One configuration change: the plugin applies each asynchronously.
	settings := map[string]any{"webhooksecret": info.WebhookSecret}
	if len(mapping) > 0 {
		settings["disciplinemapping"] = strings.Join(mapping, "\n")
	}
	if err := srv.SetPluginSettings(settings); err != nil {
		return nil, err
	}
	return info, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devops-serve:", err)
	os.Exit(1)
}
