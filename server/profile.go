package main

import (
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// startProfile writes a CPU profile of the plugin process when the server was
// started with DEVOPS_CPUPROFILE=<file> (the plugin inherits the server's
// environment), e.g. `DEVOPS_CPUPROFILE=/tmp/cpu.out make bench`, to find where
// a command's time goes (go tool pprof). It stops after DEVOPS_CPUPROFILE_SECONDS (default 60), so a server
// that is killed rather than stopped still leaves a complete profile.
func startProfile() error {
	var err error
	profileOnce.Do(func() { err = startProfileOnce() })
	return err
}

// profileOnce: OnActivate runs again on re-enable in the same process, and a
// second os.Create would truncate the profile being written.
var profileOnce sync.Once

func startProfileOnce() error {
	path := os.Getenv("DEVOPS_CPUPROFILE")
	if path == "" {
		return nil
	}
	seconds := 60
	if s, err := strconv.Atoi(os.Getenv("DEVOPS_CPUPROFILE_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	f, err := os.Create(path)
	if err != nil {
		return errors.Wrap(err, "create CPU profile")
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return errors.Wrap(err, "start CPU profile")
	}
	time.AfterFunc(time.Duration(seconds)*time.Second, func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	})
	return nil
}
