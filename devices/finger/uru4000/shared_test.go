package uru4000

import (
	"testing"

	"github.com/dinhdanh/dinhdanh/internal/shared"
)

func sharedFVC(t *testing.T) string {
	return shared.Require(t, "data", "fingerprints", "FVC2002_DB1_B")
}
