module github.com/dinhdanh/dinhdanh

go 1.26

require (
	github.com/google/gousb v1.1.3
	github.com/mattn/go-sqlite3 v1.14.32
	golang.org/x/image v0.24.0
)
