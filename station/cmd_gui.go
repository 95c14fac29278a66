package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/dinhdanh/dinhdanh/station/desk"
	"github.com/dinhdanh/dinhdanh/station/logging"
	"github.com/dinhdanh/dinhdanh/station/ui"
)

func init() {
	register(command{Name: "gui", Summary: "start the desktop app (the default command); --demo uses simulated devices", Run: runGUI})
}

func runGUI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("gui", args, stderr, nil)
	if err != nil {
		return err
	}
	log, closeLog, err := logging.Open(cfg.LogFile, cfg.LogLevel)
	if err != nil {
		return err
	}
	defer closeLog()
	if err := ui.SetLanguage(cfg.Language); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	d, err := desk.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if len(d.Missing) > 0 {
		log.Warn("station parts not available in this build", "missing", strings.Join(d.Missing, "; "))
	}
	a := app.NewWithID("vn.dinhdanh.station")
	w := a.NewWindow("dinhdanh")
	w.Resize(fyne.NewSize(1280, 800))
	u := ui.New(ctx, a, w, d.Deps)
	u.Start()
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return nil
}
