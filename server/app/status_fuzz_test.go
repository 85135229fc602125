package app

import (
	"testing"
	"time"
)

// FuzzParseDue: whatever is typed, a due time is refused with a message or lies
// between a minute ago and five years ahead.
func FuzzParseDue(f *testing.F) {
	for _, seed := range []string{"2h", "999999w", "1h30m", "2026-12-01", "2026-12-01T15:00", "9999-12-31", "0", "1d1d1d", "\x00", "999999s999999w", "tomorrow 9:00", "fri", "17:00", "2026-12-05 15:00"} {
		f.Add(seed)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		at, err := ParseDue(in, now, newYork)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("%q: a refusal without a message: %v", in, err)
			}
			return
		}
		if at != 0 && (at < now.Add(-time.Minute).UnixMilli() || at > now.Add(maxDueAhead).UnixMilli()) {
			t.Fatalf("%q: accepted %s", in, time.UnixMilli(at).UTC())
		}
	})
}

// FuzzParseTaskNumber: a number is a task's (1 to 2^31-1) or refused with a message.
func FuzzParseTaskNumber(f *testing.F) {
	for _, seed := range []string{"1", "#7", "99999999999", "2147483648", "-1", "0x10", "", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := ParseTaskNumber(in)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("%q: a refusal without a message: %v", in, err)
			}
			return
		}
		if n < 1 || n > maxTaskNumber {
			t.Fatalf("%q: accepted %d", in, n)
		}
	})
}
