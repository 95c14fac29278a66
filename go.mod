module github.com/dinhdanh/dinhdanh

go 1.26

require github.com/mattn/go-sqlite3 v1.14.32

require golang.org/x/sys v0.38.0
