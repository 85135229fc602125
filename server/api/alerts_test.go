package api

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBearerMatches(t *testing.T) {
	const token = "alert-token-0123456789"
	for _, c := range []struct {
		values []string
		ok     bool
	}{
		{[]string{"Bearer " + token}, true},
		{[]string{"bearer  " + token + " "}, true},
		{[]string{"Bearer " + token + "x"}, false},
		{[]string{"Bearer"}, false},
		{[]string{"Basic " + token}, false},
		{[]string{token}, false},
		{nil, false},
		{[]string{"Bearer " + token, "Bearer " + token}, false},
	} {
		require.Equal(t, c.ok, bearerMatches(c.values, token), "%q", c.values)
	}
}
