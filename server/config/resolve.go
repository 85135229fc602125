package config

import (
	"github.com/devopschannels/devops-channels/server/app"
)

// Fallback is a stored setting that is not used: its refusal, and the value in force
// instead (the last good one, or the default).
type Fallback struct {
	*FieldError
	Used        string
	UsedDefault bool
}

// Resolve turns a stored configuration into the one in force, field by field: a bad
// field takes its last good value, or its default when there is none or that is bad
// too; every other field stays as stored. One bad value never costs the others (a
// webhook secret, a custom trigger, a mapping) their values. decodeErrs are the
// fields DecodeFields could not read. The result always validates at least in its
// syntax, so the plugin always starts.
func Resolve(stored *Configuration, decodeErrs []*FieldError, lastGood *Configuration, checks Checks) (*Configuration, *app.Settings, []Fallback) {
	cur := stored.Clone()
	defaults := Defaults()
	// level: 0 stored, 1 last good, 2 default.
	level := map[string]int{}
	first := map[string]*FieldError{}
	fallBack := func(e *FieldError) bool {
		if _, ok := first[e.Field]; !ok {
			first[e.Field] = e
		}
		for level[e.Field] < 2 {
			level[e.Field]++
			from := defaults
			if level[e.Field] == 1 {
				if lastGood == nil {
					continue
				}
				from = lastGood
			}
			if from.value(e.Field) == cur.value(e.Field) {
				continue // the same value, refused already
			}
			cur.field(e.Field).Set(from.field(e.Field))
			return true
		}
		return false
	}
	for _, e := range decodeErrs {
		fallBack(e)
	}
	var settings *app.Settings
	for {
		s, errs := cur.Validate(checks)
		if len(errs) == 0 {
			settings = s
			break
		}
		moved := false
		for _, e := range errs {
			if fallBack(e) {
				moved = true
			}
		}
		if !moved {
			// Even a default is refused by the live server (another plugin took
			// "devops"): keep the defaults, judged on their syntax, and say so.
			if s, errs = cur.Validate(Checks{CadenceFloor: checks.CadenceFloor}); len(errs) == 0 {
				settings = s
			} else {
				cur = defaults.Clone()
				settings, _ = cur.Parse()
			}
			break
		}
	}
	var out []Fallback
	for _, f := range Fields() {
		e, ok := first[f]
		if !ok {
			continue
		}
		out = append(out, Fallback{FieldError: e, Used: cur.value(f), UsedDefault: cur.value(f) == defaults.value(f) && (lastGood == nil || lastGood.value(f) != cur.value(f))})
	}
	return cur, settings, out
}
