#!/usr/bin/env bash
# prepare.sh [MODEL_DIR] — make go-face's three dlib model files exist in
# MODEL_DIR, each checked against its known sha256. Safe to run again: files
# already present and valid are left alone.
#
#   shape_predictor_5_face_landmarks.dat       symlink to Debian's 68-point model
#                                              (libdlib-data), see the licence note
#   dlib_face_recognition_resnet_model_v1.dat  converted from @vladmandic/face-api
#                                              (npm) by tfjs2raw + convert.cc
#   mmod_human_face_detector.dat               copied from the shared folder's
#                                              models/, else dlib.net's download
#
# MODEL_DIR defaults to $DINHDANH_MODEL_DIR, else
# ${XDG_DATA_HOME:-~/.local/share}/dinhdanh/models (as matcher/face/model's
# DefaultDir). Build artefacts go to ${XDG_CACHE_HOME:-~/.cache}/dinhdanh/facemodel.
#
# Environment:
#   DINHDANH_LANDMARKS  landmark model to install instead of Debian's 68-point one
#                       (e.g. dlib's shape_predictor_5_face_landmarks.dat)
#   DINHDANH_SHARED     the shared data folder (default: ../shared beside the repo)
#
# Licence: Debian's shape_predictor_68_face_landmarks.dat is trained on the
# iBUG 300-W data set, whose licence excludes commercial use. A deployment
# that needs otherwise drops dlib's own 5-point model in (DINHDANH_LANDMARKS).
set -euo pipefail

readonly LANDMARKS=shape_predictor_5_face_landmarks.dat
readonly RESNET=dlib_face_recognition_resnet_model_v1.dat
readonly DETECTOR=mmod_human_face_detector.dat

readonly LANDMARKS68_SRC=/usr/share/dlib/shape_predictor_68_face_landmarks.dat
readonly LANDMARKS68_SHA=fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f
readonly RESNET_SHA=cdb1d47b961fe310ef1f3aa2974c5f65d29c079346760f6b6785c7e405f7266a
readonly DETECTOR_SHA=4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6
readonly DETECTOR_URL=http://dlib.net/files/mmod_human_face_detector.dat.bz2
readonly FACEAPI=@vladmandic/face-api@1.7.15
readonly FACEAPI_TGZ=vladmandic-face-api-1.7.15.tgz
readonly FACEAPI_SHA=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

log() { printf 'facemodel: %s\n' "$*" >&2; }
die() {
	printf 'facemodel: ERROR: %s\n' "$*" >&2
	exit 1
}

if [[ $# -gt 1 || ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
fi
[[ -n ${HOME:-} || (-n ${XDG_DATA_HOME:-} && -n ${XDG_CACHE_HOME:-}) ]] ||
	die "HOME is not set: pass MODEL_DIR and set XDG_CACHE_HOME"
model_dir=${1:-${DINHDANH_MODEL_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/dinhdanh/models}}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/dinhdanh/facemodel

command -v sha256sum >/dev/null || die "sha256sum not found (Debian package coreutils)"
mkdir -p "$model_dir" "$cache" || die "cannot create $model_dir or $cache"
model_dir=$(cd "$model_dir" && pwd)

# One run at a time per cache (two `make test` at once would race on the
# same temporary files).
if command -v flock >/dev/null; then
	exec 9>"$cache/lock"
	flock 9
fi

tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# has_sha FILE SHA: FILE exists, is not empty and has that sha256.
has_sha() { [[ -s $1 ]] && [[ $(sha_of "$1") == "$2" ]]; }

# is_5point FILE: FILE starts like a dlib shape_predictor with 5 landmarks
# (serialized version 1, initial shape a 10×1 matrix). matcher/face/model
# accepts the same header.
is_5point() { [[ -s $1 ]] && [[ $(head -c 6 "$1" | od -An -tx1 | tr -d ' \n') == 0101810a8101 ]]; }

# install_file SRC NAME: atomically put a copy of SRC at MODEL_DIR/NAME.
install_file() {
	install -m 0644 "$1" "$model_dir/.$2.tmp" && mv -f "$model_dir/.$2.tmp" "$model_dir/$2"
}

# --- landmarks --------------------------------------------------------------

landmarks_valid() { has_sha "$1" "$LANDMARKS68_SHA" || is_5point "$1"; }

prepare_landmarks() {
	local dst=$model_dir/$LANDMARKS src=${DINHDANH_LANDMARKS:-$LANDMARKS68_SRC}
	if landmarks_valid "$dst" && { [[ -z ${DINHDANH_LANDMARKS:-} ]] || cmp -s "$dst" "$src"; }; then
		log "ok       $LANDMARKS"
		return
	fi
	if [[ ! -s $src ]]; then
		if [[ -n ${DINHDANH_LANDMARKS:-} ]]; then
			die "$LANDMARKS: DINHDANH_LANDMARKS=$src does not exist or is empty"
		fi
		die "$LANDMARKS: $src is missing: install Debian's libdlib-data (apt-get install libdlib-data), or set DINHDANH_LANDMARKS to dlib's shape_predictor_5_face_landmarks.dat"
	fi
	landmarks_valid "$src" ||
		die "$LANDMARKS: $src is neither Debian's 68-point model (sha256 $LANDMARKS68_SHA) nor a dlib 5-point shape predictor"
	# A symlink: the 68-point model is 100 MB and already on disk.
	ln -sfn "$(readlink -f "$src")" "$model_dir/.$LANDMARKS.tmp"
	mv -Tf "$model_dir/.$LANDMARKS.tmp" "$dst"
	log "linked   $LANDMARKS -> $(readlink -f "$src")"
	if has_sha "$src" "$LANDMARKS68_SHA"; then
		log "note: the 68-point model's training data (iBUG 300-W) excludes commercial use; see scripts/facemodel/README.md"
	fi
}

# --- face detector ----------------------------------------------------------

prepare_detector() {
	local dst=$model_dir/$DETECTOR
	if has_sha "$dst" "$DETECTOR_SHA"; then
		log "ok       $DETECTOR"
		return
	fi
	local shared=${DINHDANH_SHARED:-$(dirname "$repo")/shared}
	local src=$shared/models/$DETECTOR
	if [[ -e $src ]]; then
		if has_sha "$src" "$DETECTOR_SHA"; then
			install_file "$src" "$DETECTOR"
			log "copied   $DETECTOR from $src"
			return
		fi
		log "warning: $src does not have sha256 $DETECTOR_SHA; ignoring it"
	fi
	log "$DETECTOR not in $shared/models; trying $DETECTOR_URL"
	local got=
	if command -v curl >/dev/null && command -v bunzip2 >/dev/null; then
		if curl -fsS --connect-timeout 10 --max-time 120 -o "$tmp/$DETECTOR.bz2" "$DETECTOR_URL" &&
			bunzip2 -c "$tmp/$DETECTOR.bz2" >"$tmp/$DETECTOR"; then
			if has_sha "$tmp/$DETECTOR" "$DETECTOR_SHA"; then
				got=$tmp/$DETECTOR
			else
				log "warning: the download's sha256 is $(sha_of "$tmp/$DETECTOR"), want $DETECTOR_SHA"
			fi
		fi
	else
		log "warning: curl or bunzip2 missing: cannot download"
	fi
	[[ -n $got ]] ||
		die "$DETECTOR is missing: put it (729,940 bytes, sha256 $DETECTOR_SHA) in $model_dir or in $shared/models/ (it ships with go-face's test data and with dlib's model downloads) and run this again"
	install_file "$got" "$DETECTOR"
	log "fetched  $DETECTOR from $DETECTOR_URL"
}

# --- face recognition ResNet ------------------------------------------------

find_go() {
	if command -v go >/dev/null; then
		command -v go
	elif [[ -x /usr/local/go/bin/go ]]; then
		echo /usr/local/go/bin/go
	fi
}

prepare_resnet() {
	local dst=$model_dir/$RESNET
	if has_sha "$dst" "$RESNET_SHA"; then
		log "ok       $RESNET"
		return
	fi
	local go missing=()
	go=$(find_go)
	command -v npm >/dev/null || missing+=("npm (Debian package npm)")
	[[ -n $go ]] || missing+=("go (Go toolchain, /usr/local/go)")
	command -v g++ >/dev/null || missing+=("g++ (Debian package g++)")
	command -v tar >/dev/null || missing+=("tar")
	[[ -f /usr/include/dlib/dnn.h ]] || missing+=("dlib headers /usr/include/dlib (Debian package libdlib-dev)")
	if ((${#missing[@]})); then
		die "$RESNET is missing and cannot be built without: ${missing[*]}"
	fi

	local start=$SECONDS
	log "building $RESNET from $FACEAPI (about a minute the first time)"

	# 1. face-api's tarball, kept in the cache once its checksum is right.
	local tgz=$cache/$FACEAPI_TGZ
	if ! has_sha "$tgz" "$FACEAPI_SHA"; then
		(cd "$tmp" && npm pack --silent "$FACEAPI" >/dev/null) ||
			die "$RESNET: npm pack $FACEAPI failed (is the npm registry reachable?)"
		has_sha "$tmp/$FACEAPI_TGZ" "$FACEAPI_SHA" ||
			die "$RESNET: $FACEAPI_TGZ has sha256 $(sha_of "$tmp/$FACEAPI_TGZ"), want $FACEAPI_SHA"
		mv -f "$tmp/$FACEAPI_TGZ" "$tgz"
	fi
	tar -xzf "$tgz" -C "$tmp" package/model/face_recognition_model.bin \
		package/model/face_recognition_model-weights_manifest.json ||
		die "$RESNET: cannot extract the face-recognition weights from $tgz"

	# 2. The two converter halves, built into the cache. convert is keyed by
	# its source and the dlib it compiles against.
	mkdir -p "$cache/bin"
	(cd "$repo" && "$go" build -o "$cache/bin/tfjs2raw" ./scripts/facemodel/tfjs2raw) ||
		die "$RESNET: go build ./scripts/facemodel/tfjs2raw failed"
	local dlibver key conv
	dlibver=$(dpkg-query -W -f='${Version}' libdlib-dev 2>/dev/null || echo unknown)
	key=$( (cat "$here/convert.cc" && echo "$dlibver") | sha256sum | cut -c1-16)
	conv=$cache/bin/convert-$key
	if [[ ! -x $conv ]]; then
		log "compiling convert.cc against dlib $dlibver"
		g++ -O2 -std=c++14 -o "$tmp/convert" "$here/convert.cc" -ldlib -lblas -llapack ||
			die "$RESNET: compiling scripts/facemodel/convert.cc failed (libdlib-dev, libopenblas-dev, liblapack-dev installed?)"
		mv -f "$tmp/convert" "$conv"
	fi

	# 3. Convert, check, install.
	"$cache/bin/tfjs2raw" -o "$tmp/params.f32" "$tmp/package/model/face_recognition_model-weights_manifest.json" ||
		die "$RESNET: tfjs2raw failed"
	"$conv" "$tmp/params.f32" "$tmp/$RESNET" || die "$RESNET: convert failed"
	local got
	got=$(sha_of "$tmp/$RESNET")
	if [[ $got != "$RESNET_SHA" ]]; then
		mv -f "$tmp/$RESNET" "$cache/$RESNET.mismatch"
		die "$RESNET: the converted file has sha256 $got ($(stat -c %s "$cache/$RESNET.mismatch") bytes), want $RESNET_SHA (22,466,154 bytes) — kept as $cache/$RESNET.mismatch. A different dlib than Debian 12's 19.24 writes other serialization tags; otherwise the converter is broken."
	fi
	install_file "$tmp/$RESNET" "$RESNET"
	log "built    $RESNET in $((SECONDS - start)) s"
}

# Each file in its own subshell so that one failure does not hide the
# others: the run ends by naming everything that is still missing.
failed=()
set +e
(set -e; prepare_landmarks) || failed+=("$LANDMARKS")
(set -e; prepare_detector) || failed+=("$DETECTOR")
(set -e; prepare_resnet) || failed+=("$RESNET")
set -e
if ((${#failed[@]})); then
	die "not ready in $model_dir: ${failed[*]} (see the messages above)"
fi
log "models ready in $model_dir"
