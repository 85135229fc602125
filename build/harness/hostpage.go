package harness

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// InstallHostPage writes the preview shell (webapp/browser/host: a stand-in for the
// Mattermost web app that loads the plugin's real webapp) into the server's client
// directory, so the server answers every page address with it instead of a 500 for a
// missing root.html. The files are those webapp/browser/host/files.json lists, which
// the browser test installs too; extra adds files beside them (devops-run's run.json).
func (s *Server) InstallHostPage(extra map[string][]byte) error {
	webapp := filepath.Join(RepoRoot(), "webapp")
	raw, err := os.ReadFile(filepath.Join(webapp, "browser", "host", "files.json"))
	if err != nil {
		return errors.Wrap(err, "read the host page's file list")
	}
	var files map[string]string
	if err := json.Unmarshal(raw, &files); err != nil {
		return errors.Wrap(err, "parse webapp/browser/host/files.json")
	}
	dir := filepath.Join(s.Dir, "client", "devops-host")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errors.Wrap(err, "make the host page's directory")
	}
	copies := map[string]string{filepath.Join(s.Dir, "client", "root.html"): filepath.Join(webapp, "browser", "host", "root.html")}
	for name, from := range files {
		copies[filepath.Join(dir, name)] = filepath.Join(webapp, from)
	}
	for to, from := range copies {
		content, err := os.ReadFile(from)
		if err != nil {
			return errors.Wrapf(err, "read %s (run `make webapp/node_modules`?)", from)
		}
		if err := os.WriteFile(to, content, 0o644); err != nil {
			return errors.Wrapf(err, "write %s", to)
		}
	}
	for name, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return errors.Wrapf(err, "write %s", name)
		}
	}
	return nil
}
