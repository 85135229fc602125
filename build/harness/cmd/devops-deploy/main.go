// Command devops-deploy is `make deploy` and `make logs`, the starter template's loop
// for plugin developers: `deploy <bundle>` uploads a bundle to an existing Mattermost
// server (replacing the installed version), enables it and waits until it runs;
// `logs [-n lines]` prints the plugin's lines of the server's log. The server is
// MM_SERVICESETTINGS_SITEURL; the admin is MM_ADMIN_TOKEN (a personal access token),
// or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

const usage = `usage: devops-deploy deploy <bundle.tar.gz> | logs [-n lines] [-plugin id]
  MM_SERVICESETTINGS_SITEURL  the server, e.g. http://127.0.0.1:8065
  MM_ADMIN_TOKEN              a system admin's personal access token, or
  MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD
`

func main() {
	if len(os.Args) < 2 {
		fail(errors.New(usage))
	}
	var err error
	switch os.Args[1] {
	case "deploy":
		if len(os.Args) != 3 {
			fail(errors.New(usage))
		}
		err = deploy(os.Args[2], os.Stdout)
	case "logs":
		fs := flag.NewFlagSet("logs", flag.ExitOnError)
		n := fs.Int("n", 200, "how many of the server's latest log lines to search")
		id := fs.String("plugin", "devops-channels", "the plugin whose lines to print")
		_ = fs.Parse(os.Args[2:])
		err = logs(*id, *n, os.Stdout)
	default:
		err = errors.New(usage)
	}
	if err != nil {
		fail(err)
	}
}

// connect logs in as the admin the environment names.
func connect() (*model.Client4, error) {
	site := strings.TrimRight(os.Getenv("MM_SERVICESETTINGS_SITEURL"), "/")
	if site == "" {
		return nil, errors.New("set MM_SERVICESETTINGS_SITEURL to the server's address (make run prints it)")
	}
	c := model.NewAPIv4Client(site)
	ctx := context.Background()
	if token := os.Getenv("MM_ADMIN_TOKEN"); token != "" {
		c.SetToken(token)
		if _, _, err := c.GetMe(ctx, ""); err != nil {
			return nil, errors.Wrapf(err, "MM_ADMIN_TOKEN is not accepted by %s", site)
		}
		return c, nil
	}
	user, password := os.Getenv("MM_ADMIN_USERNAME"), os.Getenv("MM_ADMIN_PASSWORD")
	if user == "" || password == "" {
		return nil, errors.New("set MM_ADMIN_TOKEN, or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD, to a system admin of the server")
	}
	if _, _, err := c.Login(ctx, user, password); err != nil {
		return nil, errors.Wrapf(err, "log in to %s as %s", site, user)
	}
	return c, nil
}

func deploy(bundle string, out io.Writer) error {
	f, err := os.Open(bundle)
	if err != nil {
		return errors.Wrap(err, "open the bundle (make dist builds it)")
	}
	defer f.Close()
	c, err := connect()
	if err != nil {
		return err
	}
	ctx := context.Background()
	m, _, err := c.UploadPluginForced(ctx, f)
	if err != nil {
		return errors.Wrapf(err, "upload %s (the server needs PluginSettings.EnableUploads)", bundle)
	}
	if _, err := c.EnablePlugin(ctx, m.Id); err != nil {
		return errors.Wrapf(err, "enable %s", m.Id)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		statuses, _, err := c.GetPluginStatuses(ctx)
		if err != nil {
			return errors.Wrap(err, "read plugin statuses")
		}
		for _, st := range statuses {
			if st.PluginId == m.Id && st.State == model.PluginStateRunning {
				fmt.Fprintf(out, "Deployed %s %s to %s: enabled and running.\n", m.Id, m.Version, c.URL)
				return nil
			}
			if st.PluginId == m.Id && st.State == model.PluginStateFailedToStart {
				return errors.Errorf("%s %s failed to start on %s: see `make logs`", m.Id, m.Version, c.URL)
			}
		}
		if time.Now().After(deadline) {
			return errors.Errorf("%s did not start within a minute on %s: see `make logs`", m.Id, c.URL)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// logs prints the plugin's lines among the server's latest n log lines, oldest first.
func logs(pluginID string, n int, out io.Writer) error {
	c, err := connect()
	if err != nil {
		return err
	}
	lines, _, err := c.GetLogs(context.Background(), 0, n)
	if err != nil {
		return errors.Wrap(err, "read the server's log (needs a system admin)")
	}
	found := 0
	for _, line := range lines {
		var entry struct {
			PluginID string `json:"plugin_id"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.PluginID == pluginID {
			fmt.Fprintln(out, strings.TrimSpace(line))
			found++
		}
	}
	if found == 0 {
		fmt.Fprintf(out, "No line of %s among the server's latest %d log lines (logs -n %d searches more).\n", pluginID, n, 10*n)
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "devops-deploy:", err)
	os.Exit(1)
}
