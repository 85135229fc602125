package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// What the mux answers by itself is JSON too: a wrong method (405, with Allow) and a
// path without a route (404).
func TestMuxErrorsAreJSON(t *testing.T) {
	router := NewRouter(nil, nil, nil)
	for _, tc := range []struct {
		method, path string
		status       int
		want         string
	}{
		{http.MethodDelete, "/api/v1/workflows", http.StatusMethodNotAllowed, "method DELETE is not allowed here; use GET, HEAD, POST"},
		{http.MethodGet, "/api/v1/workflows/abc/stage", http.StatusMethodNotAllowed, "use POST"},
		{http.MethodGet, "/api/v1/nothing-here", http.StatusNotFound, "not found"},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		req.Header.Set(userIDHeader, "someone")
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		require.Equal(t, tc.status, rec.Code, tc.path)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"), tc.path)
		var body struct {
			Error string `json:"error"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
		require.Contains(t, body.Error, tc.want)
	}
}
