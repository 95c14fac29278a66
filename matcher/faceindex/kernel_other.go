//go:build !amd64

package faceindex

func memRead(b []byte) uint64 { return memReadGo(b) }
