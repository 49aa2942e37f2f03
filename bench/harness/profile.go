package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/mskx/mskx/cli"
)

// profileCLI runs an mskx command line in this process, as the binary
// would, with a CPU profile written to path: the cluster runs in the
// parent harness, so the profile holds the client's work alone.
func profileCLI(path string, args []string) int {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pprof.StopCPUProfile()
	return cli.Run(context.Background(), args, cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}
