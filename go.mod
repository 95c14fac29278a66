module github.com/dinhdanh/dinhdanh

go 1.26

require github.com/mattn/go-sqlite3 v1.14.32

require (
	github.com/Kagami/go-face v0.0.0-20210630145111-0c14797b4d0e
	gocv.io/x/gocv v0.31.0
	golang.org/x/image v0.24.0
	golang.org/x/sys v0.38.0
)
