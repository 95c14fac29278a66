package diag

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"

	"github.com/dinhdanh/dinhdanh/devices/registry"
	"github.com/dinhdanh/dinhdanh/devices/usbdev"
)

// WriteJSON writes the report as indented JSON (images base64-encoded).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON parses a report written by WriteJSON.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("diag report: %w", err)
	}
	if r.Format != ReportFormat {
		return nil, fmt.Errorf("diag report: format %q, want %q", r.Format, ReportFormat)
	}
	return &r, nil
}

// WriteHTML writes a self-contained HTML page (images embedded) for
// people: support staff open it in any browser.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlTmpl.Execute(w, r)
}

// HasBiometricImages reports whether the report holds images of a person.
func (r *Report) HasBiometricImages() bool {
	for _, res := range r.Results {
		for _, im := range res.Images {
			if im.Biometric {
				return true
			}
		}
	}
	return false
}

// WriteText writes the short listing the CLI prints.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Station %s, %s, %s\n", r.Station, r.Version, r.Started.Format("2006-01-02 15:04:05 UTC"))
	if r.Demo {
		fmt.Fprintln(w, "DEMO MODE: simulated devices are marked [SIMULATED]")
	}
	fmt.Fprintln(w, "\nDevices:")
	WriteDevices(w, r.Devices)
	fmt.Fprintln(w, "\nSelf-tests:")
	for _, t := range r.Results {
		fmt.Fprintf(w, "  %-4s %-24s %s: %s\n", t.Status, t.Test, t.Label, t.Message)
		keys := make([]string, 0, len(t.Metrics))
		for k := range t.Metrics {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		line := ""
		for _, k := range keys {
			line += fmt.Sprintf(" %s=%g", k, t.Metrics[k])
		}
		if line != "" {
			fmt.Fprintf(w, "       %s\n", line)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	_, err := fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped)
	return err
}

// WriteDevices writes one line per device: default mark, kind, label,
// USB ID and class or video node, driver and status.
func WriteDevices(w io.Writer, devs []registry.Entry) {
	if len(devs) == 0 {
		fmt.Fprintln(w, "  (none found)")
	}
	for _, d := range devs {
		def := " "
		if d.Default {
			def = "*"
		}
		id := ""
		if d.USB != nil {
			id = d.USB.ID() + " " + usbdev.ClassName(d.USB.Class)
		} else if d.Video != nil {
			id = d.Video.Path
		}
		drv := d.Driver
		if drv == "" {
			drv = "-"
		}
		fmt.Fprintf(w, " %s %-20s %-40s %-28s driver=%s status=%s\n", def, d.Kind, d.Label(), id, drv, d.Status)
	}
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"png": func(b []byte) template.URL {
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	},
	"hex4":  func(v uint16) string { return fmt.Sprintf("%04x", v) },
	"hex2":  func(v uint8) string { return fmt.Sprintf("%02x", v) },
	"class": usbdev.ClassName,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Device diagnostics — {{.Station}}</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top;font-size:90%}
.pass{background:#d8f5d8}.fail{background:#f8d0d0}.skip{background:#eee}
.sim{color:#b00;font-weight:bold}
img{border:1px solid #888;max-width:320px;margin:.25em}
code{font-size:90%}
</style></head><body>
<h1>Device diagnostics</h1>
<p>Station <b>{{.Station}}</b> · build {{.Version}} · {{.Started.Format "2006-01-02 15:04:05"}} UTC{{if .Operator}} · technician {{.Operator}}{{end}}</p>
{{if .Demo}}<p class="sim">DEMO MODE — devices marked [SIMULATED] are simulators, not hardware.</p>{{end}}
{{if .HasBiometricImages}}<p><b>Personal data:</b> this report holds camera frames and a test fingerprint taken during the self-tests. Send it only to the station's support; rerun with <code>-no-biometric-images</code> to leave them out.</p>{{end}}
<p><b>{{.Summary.Passed}}</b> passed, <b>{{.Summary.Failed}}</b> failed, <b>{{.Summary.Skipped}}</b> skipped.</p>
<h2>Devices</h2>
<table><tr><th>Kind</th><th>Device</th><th>ID</th><th>Driver</th><th>Status</th><th>Default</th></tr>
{{range .Devices}}<tr><td>{{.Kind}}</td><td>{{if .Simulated}}<span class="sim">{{.Label}}</span>{{else}}{{.Label}}{{end}}</td>
<td>{{with .USB}}{{hex4 .VendorID}}:{{hex4 .ProductID}} bus {{.Bus}} addr {{.Address}}{{if .Serial}} serial {{.Serial}}{{end}}{{end}}{{with .Video}}{{.Path}} {{.Driver}} {{.BusInfo}} {{range .Formats}}{{.}} {{end}}{{end}}</td>
<td>{{.Driver}}</td><td>{{.Status}}</td><td>{{if .Default}}yes{{end}}</td></tr>
{{end}}</table>
<h2>Self-tests</h2>
<table><tr><th>Result</th><th>Device</th><th>Test</th><th>Message</th><th>Numbers</th><th>Facts</th><th>ms</th></tr>
{{range .Results}}<tr class="{{.Status}}"><td>{{.Status}}</td><td>{{if .Simulated}}<span class="sim">{{.Label}}</span>{{else}}{{.Label}}{{end}}</td><td>{{.Test}}</td><td>{{.Message}}</td>
<td>{{range $k, $v := .Metrics}}{{$k}} = {{$v}}<br>{{end}}</td><td>{{range $k, $v := .Facts}}{{$k}}: {{$v}}<br>{{end}}</td><td>{{printf "%.1f" .DurationMS}}</td></tr>
{{if .Images}}<tr><td></td><td colspan="6">{{range .Images}}<figure style="display:inline-block"><img src="{{png .PNG}}" alt="{{.Name}}"><figcaption>{{.Name}}{{if $.Demo}}{{end}}</figcaption></figure>{{end}}</td></tr>{{end}}
{{end}}</table>
{{if .Notes}}<h2>Notes</h2><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<h2>USB descriptors</h2>
{{range .Devices}}{{with .USB}}<h3>{{if .Simulated}}<span class="sim">{{.Manufacturer}} {{.Product}} [SIMULATED]</span>{{else}}{{.Manufacturer}} {{.Product}}{{end}} ({{hex4 .VendorID}}:{{hex4 .ProductID}})</h3>
<p>USB {{.USBVersion}}, device {{.DeviceVersion}}, speed {{.Speed}}, class {{class .Class}} ({{hex2 .Class}}/{{hex2 .SubClass}}/{{hex2 .Protocol}}), node <code>{{.Node}}</code>{{if .Access}}, access: {{.Access}}{{end}}</p>
{{range .Configs}}<table><tr><th colspan="5">Configuration {{.Number}} ({{.MaxPowerMA}} mA{{if .SelfPowered}}, self-powered{{end}})</th></tr>
<tr><th>Interface</th><th>Alt</th><th>Class</th><th>Endpoints</th></tr>
{{range .Interfaces}}<tr><td>{{.Number}}</td><td>{{.Alternate}}</td><td>{{class .Class}} ({{hex2 .Class}}/{{hex2 .SubClass}}/{{hex2 .Protocol}})</td><td>{{range .Endpoints}}0x{{hex2 .Address}} {{.Type}} {{.MaxPacketSize}} B<br>{{end}}</td></tr>{{end}}
</table>{{end}}{{end}}{{end}}
</body></html>
`))
