package main

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// pluginRSS is the resident memory of a plugin's process under the server that runs
// in serverDir. Other servers (e2e runs, `make run`) may run the same plugin on this
// machine, so the process must be a child of a mattermost process working in serverDir.
func pluginRSS(serverDir, pluginID string) (int64, error) {
	exe := filepath.Join("plugins", pluginID, "server", "dist", "plugin-"+runtime.GOOS+"-"+runtime.GOARCH)
	want, err := filepath.EvalSymlinks(serverDir)
	if err != nil {
		return 0, errors.Wrap(err, "resolve the server directory")
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, errors.Wrap(err, "list processes")
	}
	for _, e := range entries {
		pid := e.Name()
		if _, err := strconv.Atoi(pid); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), exe) {
			continue // gone already, or not the plugin
		}
		status, err := procStatus(pid)
		if err != nil {
			continue
		}
		parent := status["PPid"]
		parentCmd, _ := os.ReadFile(filepath.Join("/proc", parent, "cmdline"))
		parentDir, _ := os.Readlink(filepath.Join("/proc", parent, "cwd"))
		if !strings.Contains(string(parentCmd), "mattermost") || parentDir != want {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(status["VmRSS"], " kB"), 10, 64)
		if err != nil {
			return 0, errors.Wrapf(err, "read VmRSS of %s", pid)
		}
		return kb * 1024, nil
	}
	return 0, errors.Errorf("no %s process under the server in %s", pluginID, serverDir)
}

// procStatus reads /proc/<pid>/status as key → value.
func procStatus(pid string) (map[string]string, error) {
	f, err := os.Open(filepath.Join("/proc", pid, "status"))
	if err != nil {
		return nil, errors.Wrap(err, "open process status")
	}
	defer func() { _ = f.Close() }()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out, errors.Wrap(sc.Err(), "read process status")
}

// cpuModel is the processor's name, for the report.
func cpuModel() string {
	raw, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
