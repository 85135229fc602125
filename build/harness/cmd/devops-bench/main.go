// Command devops-bench measures DevOps Channels on a real Mattermost server against
// a floor — a trivial plugin installed beside it — in the same run, and writes
// dist/bench.json (issue 7). `make bench` runs it; absolute times on a shared
// machine swing, so every latency is reported with its floor and the ratio.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/build/harness"
)

const (
	floorID = "devops-floor"
	// workers is the concurrency of the c=16 figures; each worker is its own user.
	workers = 16
	// rssAfterCommands is how many /devops commands run before the plugin's RSS is read.
	rssAfterCommands = 10_000
)

// config is the command line.
type config struct {
	bundle, floorBundle, out string
	samples                  int // per side for a c=1 command figure; the others scale from it
	long                     bool
	keep                     bool
	// profileDir, when set, receives server CPU profiles of each command figure.
	profileDir string
	// only names the figures to measure (list, start, commands, fields, invitees, buttons, burst, tick, schedules, alerts, inbox, pager, rss, bundle);
	// empty measures all. For iterating on one figure; make bench measures all.
	only map[string]bool
	// large runs the large-team profile instead of the usual figures (make bench-large).
	large bool
}

// wants reports whether figure is to be measured.
func (c config) wants(figure string) bool {
	return len(c.only) == 0 || c.only[figure]
}

func main() {
	var cfg config
	flag.StringVar(&cfg.bundle, "bundle", "", "DevOps Channels bundle (default dist/<id>-<version>.tar.gz)")
	flag.StringVar(&cfg.floorBundle, "floor", "", "floor plugin bundle (default dist/devops-floor-<version>.tar.gz from make floor-bundle)")
	flag.StringVar(&cfg.out, "out", filepath.Join(harness.RepoRoot(), "dist", "bench.json"), "where to write the JSON report")
	flag.IntVar(&cfg.samples, "samples", 1000, "samples per side of a c=1 command figure (others scale from it)")
	flag.BoolVar(&cfg.long, "long", false, "five times the samples, for figures to quote")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the server directory (logs) after the run")
	flag.BoolVar(&cfg.large, "large", false, "the large-team profile: 2,000 members, 10,000 active workflows, a channel of 500 (issue 18)")
	flag.StringVar(&cfg.profileDir, "profile", "", "write server CPU profiles of each command figure (ours and the floor's) to this directory")
	only := flag.String("only", "", "comma-separated figures to measure: list,start,commands,fields,invitees,buttons,burst,tick,schedules,alerts,inbox,pager,rss,bundle (default all)")
	flag.Parse()
	for _, f := range strings.Split(*only, ",") {
		if f = strings.TrimSpace(f); f != "" {
			if cfg.only == nil {
				cfg.only = map[string]bool{}
			}
			cfg.only[f] = true
		}
	}
	if cfg.long {
		cfg.samples *= 5
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "devops-bench:", err)
		os.Exit(1)
	}
}

// report is dist/bench.json.
type report struct {
	Results         []result `json:"results"`
	BundleGzipBytes *int64   `json:"bundle_gzip_bytes"`
	PluginRSSBytes  *int64   `json:"plugin_rss_bytes"`
	Checks          []check  `json:"checks"`
	Machine         string   `json:"machine"`
	StartedAt       string   `json:"started_at"`
	DurationSeconds float64  `json:"duration_seconds"`
}

// bench is one run: the server, a team and the users that drive it.
type bench struct {
	cfg     config
	srv     *harness.Server
	team    *model.Team
	square  string           // the team's town square
	users   []*model.User    // workers' users
	clients []*model.Client4 // one per worker, sharing a transport
	seeder  *seeder
	// profiler is set by -profile.
	profiler *serverProfiler
	// devopsCommands counts /devops commands sent, for the RSS figure.
	devopsCommands atomic.Int64
}

func run(cfg config) error {
	began := time.Now()
	// Ctrl-C cancels the measurements, so the server (its own process group) is
	// still stopped and its database dropped.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if cfg.floorBundle == "" {
		var err error
		if cfg.floorBundle, err = defaultFloorBundle(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(cfg.floorBundle); err != nil {
		return errors.Wrap(err, "floor plugin bundle (make floor-bundle)")
	}
	opts := harness.Options{Bundle: cfg.bundle, Log: os.Stderr}
	var profiler *serverProfiler
	if cfg.profileDir != "" {
		var err error
		if profiler, err = newServerProfiler(cfg.profileDir); err != nil {
			return err
		}
		opts.Env = profiler.env()
	}
	srv, err := harness.Start(opts)
	if err != nil {
		return err
	}
	defer func() {
		srv.Stop()
		if !cfg.keep {
			_ = os.RemoveAll(srv.Dir)
		}
	}()
	if err := srv.InstallPlugin(cfg.floorBundle); err != nil {
		return errors.Wrap(err, "install the floor plugin (make floor-bundle)")
	}
	b := &bench{cfg: cfg, srv: srv, profiler: profiler}
	if err := b.setup(ctx); err != nil {
		return err
	}

	rep := report{Machine: machine(), StartedAt: began.UTC().Format(time.RFC3339)}
	if cfg.large {
		rep.Results, rep.Checks = b.largeFigures(ctx)
		rep.DurationSeconds = time.Since(began).Seconds()
		if err := printReport(os.Stdout, &rep); err != nil {
			return errors.Wrap(err, "print report")
		}
		return writeJSON(cfg.out, &rep)
	}
	// The list figures come first because they grow the store to 100k workflows:
	// the command figures then run against a store of that size.
	if cfg.wants("list") {
		listResults, growth := b.listFigures(ctx)
		rep.Results = append(rep.Results, listResults...)
		rep.Checks = append(rep.Checks, growth)
	}
	var workflowChannel string
	if cfg.wants("start") {
		var startResult result
		startResult, workflowChannel = b.startFigure(ctx)
		rep.Results = append(rep.Results, startResult)
	} else if workflowChannel, err = b.startWorkflow(ctx, "Benchmark info target"); err != nil {
		logf("no workflow channel for the info figures: %v", err)
	}
	if cfg.wants("commands") {
		rep.Results = append(rep.Results, b.commandFigures(ctx, workflowChannel)...)
	}
	if cfg.wants("fields") {
		rep.Results = append(rep.Results, b.fieldFigures(ctx, workflowChannel)...)
	}
	if cfg.wants("invitees") {
		rep.Results = append(rep.Results, b.inviteesFigure(ctx))
	}
	if cfg.wants("buttons") {
		rep.Results = append(rep.Results, b.buttonFigures(ctx)...)
	}
	if cfg.wants("inbox") {
		rep.Results = append(rep.Results, b.inboxFigure(ctx))
	}
	if cfg.wants("burst") {
		rep.Checks = append(rep.Checks, b.burstCheck(ctx))
	}
	if cfg.wants("alerts") {
		rep.Results = append(rep.Results, b.alertFigure(ctx))
		rep.Checks = append(rep.Checks, b.alertBurstCheck(ctx))
	}
	if cfg.wants("tick") {
		rep.Checks = append(rep.Checks, measureReminderTick(ctx, b))
	}
	if cfg.wants("schedules") {
		rep.Results = append(rep.Results, b.scheduleTickFigure(ctx), b.exportFigure(ctx))
	}
	if cfg.wants("pager") {
		paging, delay := b.pagerFigures(ctx)
		rep.Results = append(rep.Results, paging...)
		rep.Checks = append(rep.Checks, delay)
	}
	if cfg.wants("rss") {
		rss := b.rssChecks(ctx, workflowChannel)
		rep.Checks = append(rep.Checks, rss...)
		rep.PluginRSSBytes = checkBytes(rss[0])
	}
	if cfg.wants("bundle") {
		bundle := bundleCheck()
		rep.Checks = append(rep.Checks, bundle)
		rep.BundleGzipBytes = checkBytes(bundle)
	}
	rep.DurationSeconds = time.Since(began).Seconds()

	if err := printReport(os.Stdout, &rep); err != nil {
		return errors.Wrap(err, "print report")
	}
	return writeJSON(cfg.out, &rep)
}

// setup makes the benchmark team, its users (one per worker, all in the team) and
// their clients.
func (b *bench) setup(ctx context.Context) error {
	team, err := b.srv.CreateTeam("bench")
	if err != nil {
		return err
	}
	b.team = team
	square, _, err := b.srv.Admin.GetChannelByName(ctx, "town-square", team.Id, "")
	if err != nil {
		return errors.Wrap(err, "find town square")
	}
	b.square = square.Id
	// One transport for all workers, keeping 16 connections alive: the default keeps
	// two per host, and the rest would reconnect on every request.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 2 * workers
	for i := 0; i < workers; i++ {
		u, c, err := b.srv.CreateUser(fmt.Sprintf("bench%02d", i), team.Id)
		if err != nil {
			return err
		}
		c.HTTPClient = &http.Client{Transport: transport, Timeout: time.Minute}
		b.users = append(b.users, u)
		b.clients = append(b.clients, c)
	}
	userIDs := make([]string, len(b.users))
	for i, u := range b.users {
		userIDs[i] = u.Id
	}
	db, err := b.srv.DB()
	if err != nil {
		return err
	}
	b.seeder = newSeeder(db, team.Id, userIDs)
	return nil
}

// defaultFloorBundle is where `make floor-bundle` puts the floor's bundle.
func defaultFloorBundle() (string, error) {
	raw, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "build", "floorplugin", "plugin.json"))
	if err != nil {
		return "", errors.Wrap(err, "read the floor plugin's manifest")
	}
	var m model.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", errors.Wrap(err, "parse the floor plugin's manifest")
	}
	return filepath.Join(harness.RepoRoot(), "dist", fmt.Sprintf("%s-%s.tar.gz", m.Id, m.Version)), nil
}

func checkBytes(c check) *int64 {
	if c.Value == nil {
		return nil
	}
	return ptr(int64(*c.Value))
}

func machine() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s, %d CPUs, %s", host, runtime.NumCPU(), strings.TrimSpace(cpuModel()))
}

func writeJSON(path string, rep *report) error {
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return errors.Wrap(err, "encode report")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errors.Wrap(err, "make report directory")
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return errors.Wrap(err, "write report")
	}
	fmt.Printf("\nWrote %s\n", path)
	return nil
}
