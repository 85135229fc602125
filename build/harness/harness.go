// Package harness runs a real Mattermost server on a real PostgreSQL database with the
// freshly built DevOps Channels bundle installed, for end-to-end tests, benchmarks
// and `make run`. It lives in its own module so the plugin's go.mod never pulls in
// the server.
package harness

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver for database/sql
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/pgtest"
)

// PluginID is the plugin under test.
const PluginID = "devops-channels"

// Password is every harness user's password.
const Password = "Passw0rd-devops!"

// Options tune Start.
type Options struct {
	// Dir is the working directory for the server's config, logs, files and plugins;
	// a temporary one when empty.
	Dir string
	// Port to listen on; a free one when 0.
	Port int
	// Bundle is the plugin bundle to install; when empty the harness finds dist/<id>-<version>.tar.gz.
	Bundle string
	// Database names a database to reuse (created when missing) and keep on Stop, for
	// `make run`; empty means a fresh database that Stop drops.
	Database string
	// Env adds or overrides server environment variables (MM_... for the server,
	// DEVOPS_... for the plugin, which inherits the server's environment).
	Env map[string]string
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// Detached lets the server outlive this process (`make run`). Otherwise it ends
	// with it: a test or benchmark that dies (a panic, a broken pipe) leaves no server.
	Detached bool
}

// Server is a running Mattermost server.
type Server struct {
	URL   string
	DSN   string
	Dir   string
	Admin *model.Client4
	// AdminUser is the system admin (the first user created).
	AdminUser *model.User

	opts   Options
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
	dropDB func() error
	db     *sql.DB
}

// RepoRoot is the DevOps Channels checkout this package belongs to.
func RepoRoot() string {
	if r := os.Getenv("DEVOPS_ROOT"); r != "" {
		return r
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Start builds the server binary when it is not cached, creates a fresh database,
// starts the server, creates the admin and installs the plugin bundle.
func Start(opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	bin, err := EnsureServerBinary(opts.Log)
	if err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		if opts.Dir, err = os.MkdirTemp("", "devops-mm-"); err != nil {
			return nil, errors.Wrap(err, "make server directory")
		}
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	} else if err := portFree(port); err != nil {
		// Otherwise the readiness probe would reach whatever answers there and the
		// admin's login would fail against it with a confusing permission error.
		return nil, err
	}
	var dsn string
	var drop func() error
	if opts.Database != "" {
		dsn, drop, err = pgtest.OpenOrCreateDatabase(opts.Database)
	} else {
		dsn, drop, err = pgtest.CreateDatabase("devops_mm")
	}
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL: fmt.Sprintf("http://127.0.0.1:%d", port), DSN: dsn, Dir: opts.Dir,
		opts: opts, port: port, dropDB: drop,
	}
	if err := s.prepareDir(); err != nil {
		_ = drop()
		return nil, err
	}
	if err := s.launch(bin); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.createAdmin(); err != nil {
		s.Stop()
		return nil, err
	}
	bundle := opts.Bundle
	if bundle == "" {
		if bundle, err = DefaultBundle(); err != nil {
			s.Stop()
			return nil, err
		}
	}
	if err := s.InstallPlugin(bundle); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// DefaultBundle is dist/<id>-<version>.tar.gz for the version in plugin.json.
func DefaultBundle() (string, error) {
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "plugin.json"))
	if err != nil {
		return "", errors.Wrap(err, "read plugin.json")
	}
	var m model.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", errors.Wrap(err, "parse plugin.json")
	}
	p := filepath.Join(RepoRoot(), "dist", fmt.Sprintf("%s-%s.tar.gz", m.Id, m.Version))
	if _, err := os.Stat(p); err != nil {
		return "", errors.Errorf("plugin bundle %s is missing: run `make dist` first", p)
	}
	return p, nil
}

// EnsureServerBinary returns the cached Mattermost server binary, building it from
// build/testserver when it is missing. $DEVOPS_MM_BIN overrides the location.
func EnsureServerBinary(log io.Writer) (string, error) {
	bin := os.Getenv("DEVOPS_MM_BIN")
	if bin == "" {
		bin = filepath.Join(RepoRoot(), "build", ".cache", "bin", "mattermost")
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(log, "building the Mattermost server into %s (once; 2-5 minutes)\n", bin)
	cmd := exec.Command("go", "build", "-o", bin, "github.com/mattermost/mattermost/server/v8/cmd/mattermost")
	cmd.Dir = filepath.Join(RepoRoot(), "build", "testserver")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", errors.Wrap(err, "build the Mattermost server")
	}
	return bin, nil
}

// serverModuleDir is where the server module's i18n, templates and fonts live.
func serverModuleDir() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mattermost/mattermost/server/v8")
	cmd.Dir = filepath.Join(RepoRoot(), "build", "testserver")
	out, err := cmd.Output()
	if err != nil {
		return "", errors.Wrap(err, "locate the Mattermost server module")
	}
	return strings.TrimSpace(string(out)), nil
}

func (s *Server) prepareDir() error {
	mod, err := serverModuleDir()
	if err != nil {
		return err
	}
	for _, d := range []string{"plugins", "client/plugins", "data", "logs"} {
		if err := os.MkdirAll(filepath.Join(s.Dir, d), 0o755); err != nil {
			return errors.Wrap(err, "make server directories")
		}
	}
	for _, d := range []string{"i18n", "templates", "fonts"} {
		link := filepath.Join(s.Dir, d)
		_ = os.Remove(link)
		if err := os.Symlink(filepath.Join(mod, d), link); err != nil {
			return errors.Wrapf(err, "link %s", d)
		}
	}
	cfg := filepath.Join(s.Dir, "config.json")
	if _, err := os.Stat(cfg); os.IsNotExist(err) {
		if err := os.WriteFile(cfg, []byte("{}"), 0o600); err != nil {
			return errors.Wrap(err, "write config.json")
		}
	}
	return nil
}

func (s *Server) env() []string {
	vars := map[string]string{
		"MM_SQLSETTINGS_DRIVERNAME":                         "postgres",
		"MM_SQLSETTINGS_DATASOURCE":                         s.DSN,
		"MM_SERVICESETTINGS_SITEURL":                        s.URL,
		"MM_SERVICESETTINGS_LISTENADDRESS":                  fmt.Sprintf("127.0.0.1:%d", s.port),
		"MM_PLUGINSETTINGS_ENABLE":                          "true",
		"MM_PLUGINSETTINGS_ENABLEUPLOADS":                   "true",
		"MM_PLUGINSETTINGS_DIRECTORY":                       filepath.Join(s.Dir, "plugins"),
		"MM_PLUGINSETTINGS_CLIENTDIRECTORY":                 filepath.Join(s.Dir, "client", "plugins"),
		"MM_FILESETTINGS_DIRECTORY":                         filepath.Join(s.Dir, "data"),
		"MM_LOGSETTINGS_FILELOCATION":                       filepath.Join(s.Dir, "logs"),
		"MM_LOGSETTINGS_CONSOLELEVEL":                       "ERROR",
		"MM_SERVICESETTINGS_ENABLELOCALMODE":                "true",
		"MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION":        filepath.Join(s.Dir, "local.sock"),
		"MM_SERVICESETTINGS_ENABLEDEVELOPER":                "true",
		"MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS":         "true",
		"MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION":       "true",
		"MM_RATELIMITSETTINGS_ENABLE":                       "false",
		"MM_TEAMSETTINGS_ENABLEOPENSERVER":                  "true",
		"MM_TEAMSETTINGS_MAXUSERSPERTEAM":                   "10000",
		"MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS":           "false",
		"MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION":         "false",
		"MM_LOGSETTINGS_ENABLEDIAGNOSTICS":                  "false",
		"MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED":       "false",
		"MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED":        "false",
		"MM_SERVICESETTINGS_ENABLESECURITYFIXALERT":         "false",
		"MM_SERVICESETTINGS_ENABLEONBOARDINGFLOW":           "false",
		"MM_SERVICESETTINGS_ENABLEAPICHANNELDELETION":       "true",
		"MM_SERVICESETTINGS_ENABLEAPIUSERDELETION":          "true",
		"MM_PASSWORDSETTINGS_MINIMUMLENGTH":                 "8",
		"MM_SERVICESETTINGS_ENABLELINKPREVIEWS":             "false",
		"MM_SERVICESETTINGS_ENABLEPERMALINKPREVIEWS":        "false",
		"MM_SERVICESETTINGS_SESSIONLENGTHWEBINHOURS":        "720",
		"MM_SQLSETTINGS_MAXOPENCONNS":                       "100",
		"MM_SERVICESETTINGS_ENABLECUSTOMEMOJI":              "true",
		"MM_SERVICESETTINGS_ALLOWCORSFROM":                  "*",
		"MM_SERVICESETTINGS_ENABLEINCOMINGWEBHOOKS":         "true",
		"MM_SERVICESETTINGS_ENABLEPOSTUSERNAMEOVERRIDE":     "true",
		"MM_SERVICESETTINGS_ENABLECOMMANDS":                 "true",
		"MM_SERVICESETTINGS_ENABLEPOSTICONOVERRIDE":         "true",
		"MM_METRICSSETTINGS_ENABLE":                         "false",
		"MM_SERVICESETTINGS_ENABLEGIFPICKER":                "false",
		"MM_SERVICESETTINGS_ENABLETESTING":                  "false",
		"MM_EXPERIMENTALSETTINGS_DISABLEAPPBAR":             "false",
		"MM_SERVICESETTINGS_EXPERIMENTALENABLEHARDENEDMODE": "false",
	}
	for k, v := range s.opts.Env {
		vars[k] = v
	}
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MM_") {
			out = append(out, kv)
		}
	}
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

func (s *Server) launch(bin string) error {
	logFile, err := os.OpenFile(filepath.Join(s.Dir, "server.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return errors.Wrap(err, "open server log")
	}
	cmd := exec.Command(bin, "server", "--config", filepath.Join(s.Dir, "config.json"))
	cmd.Dir = s.Dir
	cmd.Env = s.env()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so Stop also ends the plugin processes it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if !s.opts.Detached {
		endWithParent(cmd.SysProcAttr)
	}
	fmt.Fprintf(s.opts.Log, "starting Mattermost at %s (logs in %s)\n", s.URL, s.Dir)
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return errors.Wrap(err, "start the Mattermost server")
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(s.exited)
	}()
	return s.waitReady(3 * time.Minute)
}

func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.Errorf("the Mattermost server exited during start-up; see %s", filepath.Join(s.Dir, "server.out"))
		default:
		}
		resp, err := http.Get(s.URL + "/api/v4/system/ping")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.Errorf("the Mattermost server did not answer within %s; see %s", timeout, filepath.Join(s.Dir, "server.out"))
}

func (s *Server) createAdmin() error {
	ctx := context.Background()
	s.Admin = model.NewAPIv4Client(s.URL)
	_, _, err := s.Admin.CreateUser(ctx, &model.User{Username: "admin", Email: "admin@example.com", Password: Password})
	if err != nil {
		// A restarted server on the same database already has its admin.
		if !strings.Contains(err.Error(), "exists") {
			return errors.Wrap(err, "create admin")
		}
	}
	u, _, err := s.Admin.Login(ctx, "admin", Password)
	if err != nil {
		return errors.Wrap(err, "log in as admin")
	}
	s.AdminUser = u
	return nil
}

// InstallPlugin uploads a bundle, replacing any installed version, and enables it.
func (s *Server) InstallPlugin(bundle string) error {
	ctx := context.Background()
	f, err := os.Open(bundle)
	if err != nil {
		return errors.Wrap(err, "open plugin bundle")
	}
	defer f.Close()
	m, _, err := s.Admin.UploadPluginForced(ctx, f)
	if err != nil {
		return errors.Wrapf(err, "upload %s", bundle)
	}
	if _, err := s.Admin.EnablePlugin(ctx, m.Id); err != nil {
		return errors.Wrapf(err, "enable %s", m.Id)
	}
	return s.WaitPluginRunning(m.Id, time.Minute)
}

// WaitPluginRunning waits until the plugin reports running, or fails with its state.
func (s *Server) WaitPluginRunning(id string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	state := -1
	for time.Now().Before(deadline) {
		statuses, _, err := s.Admin.GetPluginStatuses(context.Background())
		if err == nil {
			for _, st := range statuses {
				if st.PluginId == id {
					state = st.State
					if st.State == model.PluginStateRunning {
						return nil
					}
					if st.State == model.PluginStateFailedToStart {
						return errors.Errorf("plugin %s failed to start: %s (see %s/logs)", id, st.Error, s.Dir)
					}
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.Errorf("plugin %s not running after %s (state %d)", id, timeout, state)
}

// RestartPlugin disables and re-enables a plugin.
func (s *Server) RestartPlugin(id string) error {
	ctx := context.Background()
	if _, err := s.Admin.DisablePlugin(ctx, id); err != nil {
		return errors.Wrapf(err, "disable %s", id)
	}
	if _, err := s.Admin.EnablePlugin(ctx, id); err != nil {
		return errors.Wrapf(err, "enable %s", id)
	}
	return s.WaitPluginRunning(id, time.Minute)
}

// Restart kills the server abruptly (SIGKILL, no clean shutdown) and starts it again
// on the same database and directory.
func (s *Server) Restart() error {
	s.kill()
	bin, err := EnsureServerBinary(s.opts.Log)
	if err != nil {
		return err
	}
	if err := s.launch(bin); err != nil {
		return err
	}
	if err := s.createAdmin(); err != nil {
		return err
	}
	return s.WaitPluginRunning(PluginID, time.Minute)
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// Stop ends the server and drops its database (unless KeepDatabase).
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			s.kill()
		}
		s.cmd = nil
	}
	if s.db != nil {
		_ = s.db.Close()
	}
	if s.dropDB != nil && s.opts.Database == "" {
		_ = s.dropDB()
	}
}

// DB is a direct connection to the server's database, for assertions on the
// plugin's tables.
func (s *Server) DB() (*sql.DB, error) {
	if s.db == nil {
		db, err := sql.Open("postgres", s.DSN)
		if err != nil {
			return nil, errors.Wrap(err, "open server database")
		}
		s.db = db
	}
	return s.db, nil
}

// NewClient logs a user in and returns their client.
func (s *Server) NewClient(username string) (*model.Client4, error) {
	c := model.NewAPIv4Client(s.URL)
	if _, _, err := c.Login(context.Background(), username, Password); err != nil {
		return nil, errors.Wrapf(err, "log in %s", username)
	}
	return c, nil
}

// CreateUser creates a user, adds them to the teams given and logs them in.
func (s *Server) CreateUser(username string, teamIDs ...string) (*model.User, *model.Client4, error) {
	ctx := context.Background()
	u, _, err := s.Admin.CreateUser(ctx, &model.User{
		Username: username, Email: username + "@example.com", Password: Password,
		EmailVerified: true,
	})
	if err != nil {
		return nil, nil, errors.Wrapf(err, "create user %s", username)
	}
	for _, t := range teamIDs {
		if _, _, err := s.Admin.AddTeamMember(ctx, t, u.Id); err != nil {
			return nil, nil, errors.Wrapf(err, "add %s to team", username)
		}
	}
	c, err := s.NewClient(username)
	return u, c, err
}

// CreateTeam creates an open team owned by the admin.
func (s *Server) CreateTeam(name string) (*model.Team, error) {
	t, _, err := s.Admin.CreateTeam(context.Background(), &model.Team{
		Name: name, DisplayName: name, Type: model.TeamOpen,
	})
	return t, errors.Wrapf(err, "create team %s", name)
}

// PluginRequest calls the plugin's HTTP API as the client's user and returns the
// status and body. path is relative to /plugins/<id>, e.g. "/api/v1/workflows".
func PluginRequest(c *model.Client4, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, errors.Wrap(err, "encode request")
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.URL+"/plugins/"+PluginID+path, rd)
	if err != nil {
		return 0, nil, errors.Wrap(err, "build request")
	}
	if c.AuthToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.AuthToken)
	}
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, errors.Wrapf(err, "%s %s", method, path)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, errors.Wrap(err, "read response")
}

// portFree refuses a port something already listens on, naming it.
func portFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		what := "another program"
		if resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/v4/system/ping", port)); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				what = "another Mattermost server"
			}
		}
		return errors.Errorf("port %d is already taken by %s: stop it (`make stop` if it is ours) or choose another port (make run RUN_PORT=8066)", port, what)
	}
	return errors.Wrap(l.Close(), "release the probed port")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, errors.Wrap(err, "find a free port")
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// SetPluginSetting saves one of the plugin's settings (lower-case key) through the API,
// as the System Console does; the plugin may refuse it (ConfigurationWillBeSaved).
func (s *Server) SetPluginSetting(key string, value any) error {
	return s.SetPluginSettings(map[string]any{key: value})
}

// SetPluginSettings saves several of the plugin's settings in one configuration
// change.
func (s *Server) SetPluginSettings(settings map[string]any) error {
	ctx := context.Background()
	cfg, _, err := s.Admin.GetConfig(ctx)
	if err != nil {
		return errors.Wrap(err, "read config")
	}
	if cfg.PluginSettings.Plugins[PluginID] == nil {
		cfg.PluginSettings.Plugins[PluginID] = map[string]any{}
	}
	for k, v := range settings {
		cfg.PluginSettings.Plugins[PluginID][k] = v
	}
	_, _, err = s.Admin.UpdateConfig(ctx, cfg)
	return errors.Wrap(err, "save plugin settings")
}
