package main

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// evalTargets maps "station eval TARGET" to the evaluation of one engine;
// each engine adds its own from a cmd_eval_<engine>.go file.
var evalTargets = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{}

func init() {
	register(command{Name: "eval", Summary: "measure matcher accuracy and speed on labelled data (eval face|finger)", Run: runEval})
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || evalTargets[args[0]] == nil {
		names := make([]string, 0, len(evalTargets))
		for n := range evalTargets {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("usage: station eval TARGET [flags]; targets: %v", names)
	}
	return evalTargets[args[0]](ctx, args[1:], stdout, stderr)
}
