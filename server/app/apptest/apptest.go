// Package apptest gives the tests of the plugin's doors a service that panics, as a
// bug in it would, and a log that records what it is told.
package apptest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// PanickingStore panics on every call, as a bug in the store would.
type PanickingStore struct{ app.Store }

// Log records every error logged, each as one line of text.
type Log struct {
	mu      sync.Mutex
	entries []string
}

// LogError records msg and its key-value pairs.
func (l *Log) LogError(msg string, keyValuePairs ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, fmt.Sprint(append([]any{msg}, keyValuePairs...)...))
}

// Entries returns what was logged so far.
func (l *Log) Entries() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

// PanickingService is a service on the default settings whose store panics, logging
// its background work's panics to log; it returns the settings too.
func PanickingService(t testing.TB, log app.Logger) (*app.Service, func() *app.Settings) {
	t.Helper()
	settings, err := config.Defaults().Parse()
	require.NoError(t, err)
	get := func() *app.Settings { return settings }
	return app.NewService(PanickingStore{}, nil, get, app.NewBackground(log)), get
}
