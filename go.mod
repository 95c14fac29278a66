module github.com/dinhdanh/dinhdanh

go 1.26

require golang.org/x/image v0.24.0
