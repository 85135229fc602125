package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// printer writes formatted text and keeps the first error, so a report is a list
// of lines rather than a list of error checks.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

// printReport writes the human-readable table: latencies with their floors, then
// the other checks.
func printReport(out io.Writer, rep *report) error {
	p := &printer{w: out}
	p.printf("\nDevOps Channels benchmark — %s (%.0f s)\n\n", rep.Machine, rep.DurationSeconds)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	p.w = tw
	p.printf("figure\tp50 ms\tp95 ms\tp99 ms\trps\tfloor p50\tratio p50\tratio p99\ttarget\tmet\tnote\n")
	for _, r := range rep.Results {
		if r.P50 == nil {
			p.printf("%s\t-\t-\t-\t-\t-\t-\t-\t%s\t-\t%s\n", r.Name, r.Target, r.Status)
			continue
		}
		p.printf("%s\t%.2f\t%.2f\t%.2f\t%.0f\t%.2f\t%.2f×\t%s\t%s\t%s\t\n", r.Name, *r.P50, *r.P95, *r.P99, *r.RPS,
			*r.FloorP50, *r.RatioP50, ratio(r.RatioP99), r.Target, yesNo(r.Met))
	}
	p.printf("\ncheck\tvalue\ttarget\tmet\tnote\n")
	for _, c := range rep.Checks {
		value, note := "-", c.Status
		if c.Value != nil {
			value = formatValue(*c.Value, c.Unit)
		}
		if note == "ok" {
			note = ""
		}
		p.printf("%s\t%s\t%s\t%s\t%s\n", c.Name, value, c.Target, yesNo(c.Met), note)
	}
	if p.err == nil {
		p.err = tw.Flush()
	}
	p.w = out
	p.printf("\nFloors: a command is measured against `/floor x` in the same channel at the same concurrency;\n" +
		"GET /workflows against the floor's GET /ping; start against REST channel create + one post;\n" +
		"pressing a button on a bot post against pressing the floor's button, which only updates its post.\n" +
		"Indented rows split a c=1 command figure (references, no target): the floor replying with that command's\n" +
		"answer against its one-word reply (what Mattermost charges for delivering the answer), and the command\n" +
		"against the floor replying with the same answer (what our plugin's work costs).\n")
	return p.err
}

func formatValue(v float64, unit string) string {
	switch unit {
	case "bytes":
		if v < 1e6 {
			return fmt.Sprintf("%.1f KB (%.0f bytes)", v/1e3, v)
		}
		return fmt.Sprintf("%.1f MB (%.0f bytes)", v/1e6, v)
	case "×":
		return fmt.Sprintf("%.2f×", v)
	default:
		return fmt.Sprintf("%g %s", v, unit)
	}
}

func ratio(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f×", *p)
}

func yesNo(met *bool) string {
	switch {
	case met == nil:
		return "-"
	case *met:
		return "yes"
	default:
		return "NO"
	}
}
