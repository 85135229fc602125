package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app"
	"github.com/devopschannels/devops-channels/server/config"
)

// panickingStore panics on every call, as a bug in the store would.
type panickingStore struct{ app.Store }

type recordingLog struct {
	mu      sync.Mutex
	entries [][]any
}

func (l *recordingLog) LogError(msg string, keyValuePairs ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, append([]any{msg}, keyValuePairs...))
}

// A handler that panics is answered with the API's usual 500 error, the panic logged
// with its stack, and the router keeps serving.
func TestRouterRecoversPanics(t *testing.T) {
	settings, err := config.Defaults().Parse()
	require.NoError(t, err)
	log := &recordingLog{}
	svc := app.NewService(panickingStore{}, nil, func() *app.Settings { return settings }, app.NewBackground(log))
	router := NewRouter(svc, log)

	for range 2 {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/workflows/"+model.NewId(), nil)
		req.Header.Set(userIDHeader, model.NewId())
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)

		require.Equal(t, http.StatusInternalServerError, rec.Code)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		var body map[string]string
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		require.Equal(t, map[string]string{"error": internalError}, body)
	}
	require.Len(t, log.entries, 2)
	entry := fmt.Sprint(log.entries[0]...)
	require.Contains(t, entry, "recovered from a panic")
	require.Contains(t, entry, "GET /api/v1/workflows/")
	require.Contains(t, entry, "goroutine", "the stack is logged")

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/ping", nil)
	req.Header.Set(userIDHeader, model.NewId())
	router.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "still serving")
}
