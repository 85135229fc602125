package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/devopschannels/devops-channels/server/app/apptest"
)

// A handler that panics is answered with the API's usual 500 error, the panic logged
// with its stack, and the router keeps serving.
func TestRouterRecoversPanics(t *testing.T) {
	log := &apptest.Log{}
	svc, _ := apptest.PanickingService(t, log)
	router := NewRouter(svc, log, nil)

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
	require.Len(t, log.Entries(), 2)
	entry := log.Entries()[0]
	require.Contains(t, entry, "recovered from a panic")
	require.Contains(t, entry, "GET /api/v1/workflows/")
	require.Contains(t, entry, "goroutine", "the stack is logged")

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/ping", nil)
	req.Header.Set(userIDHeader, model.NewId())
	router.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, "still serving")
}
