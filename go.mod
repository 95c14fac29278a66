module github.com/dinhdanh/dinhdanh

go 1.26.0

require (
	github.com/google/gousb v1.1.3
	github.com/mattn/go-sqlite3 v1.14.32
	gocv.io/x/gocv v0.31.0
	golang.org/x/image v0.24.0
	golang.org/x/sys v0.49.0
)
