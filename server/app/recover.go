package app

import (
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// Logger is where recovered panics go; the plugin API and Platform are loggers.
type Logger interface {
	LogError(msg string, keyValuePairs ...any)
}

// Recover stops a panic at a door of the plugin (an HTTP handler, the slash command,
// a hook, the scheduler, a goroutine), where it would otherwise end the plugin's
// process: it logs the panic with its stack under where, then calls answer, if any,
// to tell whoever waits. It must be deferred itself, not called from a
// deferred function: `defer app.Recover(log, "where", nil)`.
func Recover(log Logger, where string, answer func()) {
	r := recover()
	if r == nil {
		return
	}
	log.LogError("DevOps Channels recovered from a panic", "where", where, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	if answer != nil {
		answer()
	}
}

// Background runs work on goroutines of its own: a panic there is recovered and
// logged, and Wait lets OnDeactivate finish what was started.
type Background struct {
	log      Logger
	mu       sync.Mutex // orders Go's Add before Wait's Wait, as WaitGroup requires
	stopping bool
	running  sync.WaitGroup
}

// NewBackground returns a Background that logs to log.
func NewBackground(log Logger) *Background {
	return &Background{log: log}
}

// Go runs fn on its own goroutine and returns where fn's error will be, or an error
// saying it panicked; the channel is buffered, so nobody need read it. Work started
// once Wait has begun still runs, but Wait does not wait for it.
func (b *Background) Go(what string, fn func() error) <-chan error {
	done := make(chan error, 1)
	b.mu.Lock()
	tracked := !b.stopping
	if tracked {
		b.running.Add(1)
	}
	b.mu.Unlock()
	go func() {
		if tracked {
			defer b.running.Done()
		}
		err := errors.Errorf("%s: panicked", what)
		defer func() { done <- err }()
		defer Recover(b.log, what, nil)
		err = fn()
	}()
	return done
}

// Wait waits for the work started so far, up to timeout; false when some is still
// running then.
func (b *Background) Wait(timeout time.Duration) bool {
	b.mu.Lock()
	b.stopping = true
	b.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		b.running.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return true
	case <-time.After(timeout):
		return false
	}
}
