// Command jiefen runs the county 综治中心 platform: the web server, the demo,
// and the operator's commands. See README.md for the reference.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"jiefen/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
