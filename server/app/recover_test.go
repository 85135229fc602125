package app

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// panicLog records what Recover logs.
type panicLog struct {
	mu      sync.Mutex
	entries []map[string]string
}

func (l *panicLog) LogError(msg string, keyValuePairs ...any) {
	entry := map[string]string{"msg": msg}
	for i := 0; i+1 < len(keyValuePairs); i += 2 {
		entry[fmt.Sprint(keyValuePairs[i])] = fmt.Sprint(keyValuePairs[i+1])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, entry)
}

func (l *panicLog) last(t *testing.T) map[string]string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(t, l.entries, "the panic is logged")
	return l.entries[len(l.entries)-1]
}

func TestRecoverLogsThePanicWithItsStackAndAnswers(t *testing.T) {
	log := &panicLog{}
	answered := false
	func() {
		defer Recover(log, "a door", func() { answered = true })
		var w *Workflow
		_ = w.Title // a nil dereference, as a bug would make
	}()
	require.True(t, answered)
	entry := log.last(t)
	require.Equal(t, "a door", entry["where"])
	require.Contains(t, entry["panic"], "nil pointer dereference")
	require.Contains(t, entry["stack"], "recover_test.go", "the stack names where it panicked")

	// No panic: nothing logged, nothing answered.
	answered = false
	func() { defer Recover(log, "a door", func() { answered = true }) }()
	require.False(t, answered)
	require.Len(t, log.entries, 1)
}

func TestBackgroundRecoversAndReportsItsWork(t *testing.T) {
	log := &panicLog{}
	b := NewBackground(log)
	require.NoError(t, <-b.Go("fine work", func() error { return nil }))
	require.EqualError(t, <-b.Go("failing work", func() error { return fmt.Errorf("no") }), "no")

	err := <-b.Go("file a sidebar", func() error { panic("boom") })
	require.ErrorContains(t, err, "file a sidebar: panicked")
	entry := log.last(t)
	require.Equal(t, "file a sidebar", entry["where"])
	require.Equal(t, "boom", entry["panic"])
	require.True(t, strings.Contains(entry["stack"], "goroutine"))
}

func TestBackgroundWaitIsBounded(t *testing.T) {
	b := NewBackground(&panicLog{})
	release := make(chan struct{})
	finished := make(chan struct{})
	b.Go("slow work", func() error {
		<-release
		close(finished)
		return nil
	})
	start := time.Now()
	require.False(t, b.Wait(50*time.Millisecond), "still running at the bound")
	require.Less(t, time.Since(start), time.Second)

	close(release)
	require.True(t, b.Wait(5*time.Second))
	select {
	case <-finished:
	default:
		t.Fatal("Wait returned before the work finished")
	}

	// Work started after Wait began still runs, untracked.
	require.NoError(t, <-b.Go("late work", func() error { return nil }))
	require.True(t, b.Wait(time.Second))
}
