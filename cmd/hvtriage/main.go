// Command hvtriage analyzes a Hyper-V diagnostic bundle and reports why
// checkpoints, backups, restores or VM starts fail, and what to do.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
