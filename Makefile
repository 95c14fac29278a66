# dinhdanh station — the two commands a new machine needs:
#   make run    install what is missing, prepare models, start the station (demo defaults)
#   make test   the same set-up, then go vet and the whole test suite
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
# Fyne and the receipts want a UTF-8 locale; C.UTF-8 always exists on Debian.
export LANG := C.UTF-8
export LC_ALL := C.UTF-8
# OpenCV's backends are chatty about missing plugins.
export OPENCV_LOG_LEVEL := ERROR

VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
GOTESTFLAGS ?= -timeout 30m

.PHONY: run test setup build vet check bench clean

run: setup build
	./bin/station gui --demo

test: setup
	go build ./...
	go vet ./...
	xvfb-run -a -s "-screen 0 1280x1024x24" go test $(GOTESTFLAGS) ./...

setup:
	scripts/setup

build:
	go build -ldflags "$(LDFLAGS)" -o bin/station ./station

vet:
	go vet ./...

# Benchmarks of the matchers and the card read; see README "Measuring".
bench:
	scripts/bench

clean:
	rm -rf bin
