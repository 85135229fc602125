// Package e2e tests DevOps Channels end to end: a real Mattermost server, a real
// PostgreSQL database and the freshly built plugin bundle.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/devopschannels/devops-channels/build/harness"
)

// srv is shared by the package's tests; each test makes its own team and users.
var srv *harness.Server

func TestMain(m *testing.M) {
	var err error
	// A 1s scheduler tick lets reminder tests use cadences of seconds, not minutes.
	// The configuration lives in the database, so a second node (TestTwoNodes) reads
	// the same settings.
	srv, err = harness.Start(harness.Options{Log: os.Stderr, ConfigInDatabase: true, Env: map[string]string{"DEVOPS_SCHEDULER_TICK": "1s"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cannot start the real server:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "e2e: server directory kept for inspection: %s\n", srv.Dir)
	}
	srv.Stop()
	if code == 0 {
		_ = os.RemoveAll(srv.Dir)
	}
	os.Exit(code)
}
