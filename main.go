// Command mskx is a terminal explorer for Amazon MSK and any Kafka cluster.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/mskx/mskx/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Prompt: promptPassword})
	stop()
	os.Exit(code)
}

// promptPassword asks on the controlling terminal without echo, so that a
// password never lands in shell history, a process list or a pipe.
func promptPassword(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", err
	}
	defer tty.Close()
	if _, err := tty.WriteString(prompt); err != nil {
		return "", err
	}
	pw, err := term.ReadPassword(int(tty.Fd()))
	tty.WriteString("\n")
	return string(pw), err
}
