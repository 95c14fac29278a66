package camera

import (
	"os"
	"testing"
)

// OpenCV warns on stderr at the end of every image sequence; it reads the
// level lazily, so setting it before the first capture is enough.
func TestMain(m *testing.M) {
	if os.Getenv("OPENCV_LOG_LEVEL") == "" {
		os.Setenv("OPENCV_LOG_LEVEL", "ERROR")
	}
	os.Exit(m.Run())
}
