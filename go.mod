module github.com/dinhdanh/dinhdanh

go 1.26

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/Kagami/go-face v0.0.0-20210630145111-0c14797b4d0e // indirect
	github.com/google/gousb v1.1.3 // indirect
	github.com/mattn/go-sqlite3 v1.14.32 // indirect
	gocv.io/x/gocv v0.31.0 // indirect
	golang.org/x/image v0.24.0
)
