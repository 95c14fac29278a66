module github.com/dinhdanh/dinhdanh

go 1.26

require github.com/mattn/go-sqlite3 v1.14.32

require golang.org/x/sys v0.38.0

require (
	github.com/Kagami/go-face v0.0.0-20210630145111-0c14797b4d0e // indirect
	gocv.io/x/gocv v0.31.0 // indirect
	golang.org/x/image v0.24.0 // indirect
)
