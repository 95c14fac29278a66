module github.com/dinhdanh/dinhdanh

go 1.26

require (
	github.com/Kagami/go-face v0.0.0-20210630145111-0c14797b4d0e
	github.com/ebfe/scard v0.0.0-20241214075232-7af069cabc25
	github.com/google/gousb v1.1.3
	github.com/mattn/go-sqlite3 v1.14.32
	gocv.io/x/gocv v0.31.0
	golang.org/x/image v0.24.0
	golang.org/x/sys v0.38.0
)
