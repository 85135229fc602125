package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every timeline event type declared in the package (an Event… constant) has a label
// people read: a new type cannot show up as its raw id.
func TestEveryEventTypeHasALabel(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	seen := 0
	for _, entry := range entries {
		if !strings.HasSuffix(entry.Name(), ".go") || strings.HasSuffix(entry.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), entry.Name(), nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if !strings.HasPrefix(name.Name, "Event") || i >= len(spec.Values) {
					continue
				}
				lit, ok := spec.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				value, _ := strconv.Unquote(lit.Value)
				_, labelled := eventLabels[value]
				require.True(t, labelled, "%s (%q) has no label in eventLabels", name.Name, value)
				seen++
			}
			return true
		})
	}
	require.Equal(t, len(eventLabels), seen, "every label is for a declared event type")
	require.Equal(t, "Stage changed", EventLabel(EventStageChanged))
	require.Equal(t, "Something new", EventLabel("something_new"))
}
