package application_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dinhdanh/dinhdanh/station/application"
	"github.com/dinhdanh/dinhdanh/station/keys"
	"github.com/dinhdanh/dinhdanh/station/store"
)

// The life of an application as the station app drives it: the officer
// captures and verifies, a supervisor approves, the nightly sync does the
// rest (Queue, MarkUploaded, SetOutcome).
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	kf, _ := keys.LoadOrCreate(filepath.Join(dir, "station.key"))
	db, _ := store.Open(ctx, filepath.Join(dir, "station.db"), store.Options{})
	defer db.Close()
	kr, _ := keys.OpenKeyring(ctx, db, kf)
	repo := application.NewRepo(db, kr, kf.LookupKey(), nil) // pass the audit log's Recorder

	officer := application.Actor{Name: "lan", Role: "officer"}
	supervisor := application.Actor{Name: "hung", Role: "supervisor"}
	id, _ := repo.Create(ctx, officer, application.Card{IDNumber: "001203012345", FullName: "Nguyễn Thị Lan", DateOfBirth: "2003-04-05", Sex: "F"})
	repo.AttachEvidence(ctx, officer, id, "portrait", 0.93, []byte("jpeg bytes"))
	repo.SetConsent(ctx, officer, id, "consent-42") // the privacy area's consent record
	repo.RecordCheck(ctx, officer, id, application.Check{Name: "chip_face", Score: 0.81, Threshold: 0.6, Passed: true})
	repo.MarkVerified(ctx, officer, id)
	if err := repo.Approve(ctx, supervisor, id, ""); err != nil {
		fmt.Println(err)
	}
	app, _ := repo.Get(ctx, supervisor, id)
	fmt.Println(app.State, app.IDMasked, len(app.Events))
	// Output: approved 001******345 3
}
