package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"
)

// op is one timed request made by worker (0..c-1); each worker has its own client.
type op func(ctx context.Context, worker int) error

// unavailableError marks a figure whose feature the plugin does not have yet: it is
// reported as "not available", never as a number.
type unavailableError struct{ reason string }

func (e *unavailableError) Error() string { return e.reason }

func unavailable(format string, a ...any) error {
	return &unavailableError{reason: fmt.Sprintf(format, a...)}
}

// side is the latencies of one operation and the wall time they took together.
type side struct {
	lat  []time.Duration
	wall time.Duration
}

// run makes n calls of fn spread over conc workers and adds them to s.
func (s *side) run(ctx context.Context, fn op, conc, n int) error {
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, conc)
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				if err := fn(ctx, w); err != nil {
					errs[w] = err
					next.Store(int64(n)) // stop the other workers too
					return
				}
				lat[i] = time.Since(t)
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return errors.Wrap(err, "measure")
	}
	s.wall += time.Since(start)
	s.lat = append(s.lat, lat...)
	return nil
}

// compare measures ours and the floor in alternating rounds (alternating which goes
// first, too), so that noise on a shared machine — GC, autovacuum, the other
// process's CPU — lands on both alike. Each side is warmed up first and the
// warm-up is discarded.
func compare(ctx context.Context, ours, floor op, conc, n, rounds int) (o, f side, err error) {
	warm := max(n/10, 2*conc)
	for _, fn := range []op{ours, floor} {
		var discard side
		if err := discard.run(ctx, fn, conc, warm); err != nil {
			return o, f, err
		}
	}
	rounds = max(1, min(rounds, n))
	for r := 0; r < rounds; r++ {
		per := n/rounds + boolInt(r < n%rounds)
		first, second := &o, &f
		fns := [2]op{ours, floor}
		if r%2 == 1 {
			first, second = second, first
			fns[0], fns[1] = fns[1], fns[0]
		}
		if err := first.run(ctx, fns[0], conc, per); err != nil {
			return o, f, err
		}
		if err := second.run(ctx, fns[1], conc, per); err != nil {
			return o, f, err
		}
	}
	return o, f, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stats summarises a side.
type stats struct {
	p50, p95, p99, rps float64
	n                  int
}

func (s *side) stats() stats {
	sorted := append([]time.Duration(nil), s.lat...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return stats{
		p50: percentileMS(sorted, 0.50), p95: percentileMS(sorted, 0.95), p99: percentileMS(sorted, 0.99),
		rps: float64(len(sorted)) / s.wall.Seconds(), n: len(sorted),
	}
}

// percentileMS is the nearest-rank percentile of sorted latencies, in milliseconds.
func percentileMS(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return float64(sorted[max(i, 0)]) / float64(time.Millisecond)
}

// target is a figure's goal from issue 7; a zero bound is not checked.
type target struct {
	ratioP50, ratioP99, p95MS float64
}

func (t target) String() string {
	var parts []string
	if t.ratioP50 > 0 {
		parts = append(parts, fmt.Sprintf("p50 ≤ %g× floor", t.ratioP50))
	}
	if t.ratioP99 > 0 {
		parts = append(parts, fmt.Sprintf("p99 ≤ %g× floor", t.ratioP99))
	}
	if t.p95MS > 0 {
		parts = append(parts, fmt.Sprintf("p95 ≤ %g ms", t.p95MS))
	}
	if len(parts) == 0 {
		return "(reference)"
	}
	return strings.Join(parts, ", ")
}

// result is one row of dist/bench.json: a latency figure and its floor. Numbers are
// null when the figure could not be measured; status says why.
type result struct {
	Name       string   `json:"name"`
	P50        *float64 `json:"p50_ms"`
	P95        *float64 `json:"p95_ms"`
	P99        *float64 `json:"p99_ms"`
	RPS        *float64 `json:"rps"`
	FloorP50   *float64 `json:"floor_p50_ms"`
	RatioP50   *float64 `json:"ratio_p50"`
	RatioP99   *float64 `json:"ratio_p99,omitempty"`
	FloorP95   *float64 `json:"floor_p95_ms,omitempty"`
	FloorP99   *float64 `json:"floor_p99_ms,omitempty"`
	Floor      string   `json:"floor"`
	Samples    int      `json:"samples"`
	Concurrent int      `json:"concurrency"`
	Target     string   `json:"target"`
	Met        *bool    `json:"met"`
	Status     string   `json:"status"`
}

func ptr[T any](v T) *T { return &v }

// figure describes what a result measures.
type figure struct {
	name, floor string
	conc        int
	target      target
}

// measured builds the result of a comparison and checks it against the target.
func (fg figure) measured(ours, floor side) result {
	o, f := ours.stats(), floor.stats()
	r := fg.empty("ok")
	r.P50, r.P95, r.P99, r.RPS = ptr(o.p50), ptr(o.p95), ptr(o.p99), ptr(o.rps)
	r.FloorP50, r.FloorP95, r.FloorP99 = ptr(f.p50), ptr(f.p95), ptr(f.p99)
	r.RatioP50 = ptr(o.p50 / f.p50)
	if fg.target.ratioP99 > 0 {
		r.RatioP99 = ptr(o.p99 / f.p99)
	}
	r.Samples = o.n
	met := (fg.target.ratioP50 == 0 || *r.RatioP50 <= fg.target.ratioP50) &&
		(fg.target.ratioP99 == 0 || *r.RatioP99 <= fg.target.ratioP99) &&
		(fg.target.p95MS == 0 || o.p95 <= fg.target.p95MS)
	if fg.target != (target{}) {
		r.Met = &met
	}
	return r
}

// empty is a result without numbers.
func (fg figure) empty(status string) result {
	return result{Name: fg.name, Floor: fg.floor, Concurrent: fg.conc, Target: fg.target.String(), Status: status}
}

// outcome turns a measurement's error into the row to report: a missing feature is
// "not available", anything else an error — never a made-up number.
func (fg figure) outcome(ours, floor side, err error) result {
	var ua *unavailableError
	switch {
	case err == nil:
		return fg.measured(ours, floor)
	case errors.As(err, &ua):
		return fg.empty("not available: " + ua.reason)
	default:
		return fg.empty("error: " + err.Error())
	}
}

// check is a figure that is not a latency: growth, memory, size, queries per tick.
type check struct {
	Name   string   `json:"name"`
	Value  *float64 `json:"value"`
	Unit   string   `json:"unit"`
	Target string   `json:"target"`
	Met    *bool    `json:"met"`
	Status string   `json:"status"`
}

// newCheck reports value against an upper bound.
func newCheck(name, unit string, value, bound float64, targetText string) check {
	return check{Name: name, Value: ptr(value), Unit: unit, Target: targetText, Met: ptr(value <= bound), Status: "ok"}
}
