package finger

import "math"

// borderMargin is how far (pixels) a minutia must be from the mask edge.
const borderMargin = 14

// filterBorder drops minutiae near the edge of the finger area, where
// ridges are cut by the sensor or the finger's outline, not by nature.
func filterBorder(ms []minutia, m *mask) {
	for i := range ms {
		for k := 0; k < 16 && !ms[i].drop; k++ {
			a := float64(k) * math.Pi / 8
			x := ms[i].X + int(borderMargin*math.Cos(a))
			y := ms[i].Y + int(borderMargin*math.Sin(a))
			if !m.pixel(x, y) {
				ms[i].drop = true
			}
		}
	}
}
