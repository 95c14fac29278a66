package desk

import (
	"context"

	"github.com/dinhdanh/dinhdanh/station/config"
)

// wireDevices fills d.Deps.Devices from the device and engine areas
// according to cfg.Devices (auto, sim, real) and returns what it could not
// wire. Each area's adapter is added here as its package lands.
func wireDevices(ctx context.Context, cfg *config.Config, d *Desk) (missing []string) {
	dev := &d.Deps.Devices
	if dev.Card == nil {
		missing = append(missing, "card reader (devices/chip)")
	}
	if dev.Camera == nil || dev.FaceQuality == nil {
		missing = append(missing, "camera and face quality (devices/camera, matcher/face)")
	}
	if dev.Scanner == nil || dev.FingerQuality == nil {
		missing = append(missing, "fingerprint scanner and quality (devices/finger, matcher/finger)")
	}
	if dev.Matcher == nil {
		missing = append(missing, "matcher (matcher/face, matcher/finger, sync/cache)")
	}
	return missing
}
