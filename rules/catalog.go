package rules

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// Catalog is the set of causes hvtriage knows, loaded from catalog.json.
// It is immutable after Load: the engine only reads it.
type Catalog struct {
	// Inputs are the things a bundle can hold that decide causes, each
	// described once and shared by every cause that needs it.
	Inputs []*Input `json:"inputs"`
	Causes []*Cause `json:"causes"`

	byID    map[string]*Cause
	inputID map[string]*Input
}

// Input is one kind of bundle content that decides causes, with the
// command that collects it.
type Input struct {
	ID      string   `json:"id"`
	What    string   `json:"what"`
	Collect string   `json:"collect"`
	Have    []string `json:"have"` // coverage keys, any of which means the input is present
}

// Cause is one documented cause (an ID of ../shared/causes.md) with the
// text shown to people and the signals that detect it.
type Cause struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Area        string   `json:"area"`
	Severity    Severity `json:"severity"`
	Explanation string   `json:"explanation"`
	// Signals raise the confidence that the cause is present.
	Signals []Signal `json:"signals"`
	// Against lowers it: facts that point to an innocent explanation.
	Against []Signal `json:"against,omitempty"`
	// Needs names the inputs that decide the cause. When all are present
	// and no signal matched, the cause is ruled out with Clear as the
	// reason; when some are absent they are reported as missing.
	Needs []string `json:"needs"`
	Clear string   `json:"clear"`
	// ExplainedBy names more specific causes that, found for the same VM
	// in the same hours, explain this cause's evidence: it then counts
	// less (see explainedWeight), and is ruled out when too little is
	// left.
	ExplainedBy []string `json:"explained_by,omitempty"`
	// Resolution steps, in the order to follow them; commands may hold
	// '{placeholder}'s filled from the evidence (see steps.go).
	Resolution []Step `json:"resolution"`
}

// Signal is one observable fact that bears on a cause: either a match on
// evidence attributes, or a named Go check for what a match cannot express.
type Signal struct {
	ID     string              `json:"id"`
	Says   string              `json:"says"`
	Weight float64             `json:"weight"`
	Kind   evidence.Kind       `json:"kind,omitempty"`
	Equals map[string]string   `json:"equals,omitempty"`
	AnyOf  map[string][]string `json:"any_of,omitempty"`
	Regex  map[string]string   `json:"regex,omitempty"`
	Check  string              `json:"check,omitempty"`
	// IncidentMinutes widens what counts as one incident: hits of the
	// signal less than this many minutes apart are one witness (one crash
	// logged at the next boot by three logs). Without it, hits within
	// BurstGap of each other are one incident.
	IncidentMinutes int `json:"incident_minutes,omitempty"`

	regex map[string]*regexp.Regexp
}

// catalogFS holds the catalog, one file per area (vss.json, chain.json, …)
// plus inputs.json, so that each area reads on its own.
//
//go:embed catalog/*.json
var catalogFS embed.FS

// Default returns the embedded catalog. It is validated by tests, so an
// error here means a broken build.
func Default() (*Catalog, error) {
	return LoadFS(catalogFS, "catalog")
}

// LoadFS loads every .json file of dir, in name order, as one catalog.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var readers []io.Reader
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		readers = append(readers, namedReader{n, bytes.NewReader(b)})
	}
	return Load(readers...)
}

// namedReader lets Load say which file a problem is in.
type namedReader struct {
	name string
	io.Reader
}

// Cause returns the cause with the given ID, or nil.
func (c *Catalog) Cause(id string) *Cause { return c.byID[id] }

// Input returns the input with the given ID, or nil.
func (c *Catalog) Input(id string) *Input { return c.inputID[id] }

// Load reads a catalog strictly from one or more parts: unknown fields,
// duplicate IDs, missing text, unknown kinds, unknown checks and bad
// regular expressions are all errors, reported together.
func Load(parts ...io.Reader) (*Catalog, error) {
	cat := &Catalog{}
	for i, r := range parts {
		name := fmt.Sprintf("part %d", i+1)
		if nr, ok := r.(namedReader); ok {
			name = nr.name
		}
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		var part Catalog
		if err := dec.Decode(&part); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("catalog %s: trailing data", name)
		}
		cat.Inputs = append(cat.Inputs, part.Inputs...)
		cat.Causes = append(cat.Causes, part.Causes...)
	}
	cat.byID = make(map[string]*Cause, len(cat.Causes))
	cat.inputID = make(map[string]*Input, len(cat.Inputs))
	var errs []error
	for i, in := range cat.Inputs {
		switch {
		case in == nil || in.ID == "":
			errs = append(errs, fmt.Errorf("input #%d: no ID", i))
			continue
		case cat.inputID[in.ID] != nil:
			errs = append(errs, fmt.Errorf("input %q: duplicate ID", in.ID))
		case in.What == "" || in.Collect == "" || len(in.Have) == 0:
			errs = append(errs, fmt.Errorf("input %q: what, collect and have are all required", in.ID))
		}
		cat.inputID[in.ID] = in
	}
	used := map[string]bool{}
	for i, c := range cat.Causes {
		if c == nil {
			errs = append(errs, fmt.Errorf("cause #%d: null", i))
			continue
		}
		if _, dup := cat.byID[c.ID]; dup {
			errs = append(errs, fmt.Errorf("cause %q: duplicate ID", c.ID))
		}
		cat.byID[c.ID] = c
		errs = append(errs, c.validate()...)
		for _, x := range c.ExplainedBy {
			if x == c.ID {
				errs = append(errs, fmt.Errorf("cause %q: explained by itself", c.ID))
			}
		}
		for _, n := range c.Needs {
			used[n] = true
			if cat.inputID[n] == nil {
				errs = append(errs, fmt.Errorf("cause %q: needs unknown input %q", c.ID, n))
			}
		}
	}
	for _, in := range cat.Inputs {
		if in != nil && !used[in.ID] {
			errs = append(errs, fmt.Errorf("input %q: no cause needs it", in.ID))
		}
	}
	for _, c := range cat.Causes {
		for _, x := range c.ExplainedBy {
			if c != nil && cat.byID[x] == nil {
				errs = append(errs, fmt.Errorf("cause %q: explained by unknown cause %q", c.ID, x))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	sort.Slice(cat.Causes, func(i, j int) bool { return cat.Causes[i].ID < cat.Causes[j].ID })
	return cat, nil
}

var causeIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func (c *Cause) validate() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("cause %q: %s", c.ID, fmt.Sprintf(format, args...)))
	}
	if !causeIDPattern.MatchString(c.ID) {
		bad("ID must be lower-case words joined by '-'")
	}
	for field, v := range map[string]string{"title": c.Title, "area": c.Area, "explanation": c.Explanation, "clear": c.Clear} {
		if strings.TrimSpace(v) == "" {
			bad("%s is empty", field)
		}
	}
	if len(c.Signals) == 0 {
		bad("no signals")
	}
	if len(c.Needs) == 0 {
		bad("no needs: every cause must say what decides it")
	}
	if len(c.Resolution) == 0 {
		bad("no resolution steps")
	}
	seen := map[string]bool{}
	for _, list := range [][]Signal{c.Signals, c.Against} {
		for i := range list {
			s := &list[i]
			if s.ID == "" || seen[s.ID] {
				bad("signal #%d: empty or duplicate ID %q", i, s.ID)
			}
			seen[s.ID] = true
			for _, err := range s.compile() {
				bad("signal %q: %v", s.ID, err)
			}
		}
	}
	return append(errs, c.validateSteps()...)
}

func (s *Signal) compile() []error {
	var errs []error
	if strings.TrimSpace(s.Says) == "" {
		errs = append(errs, errors.New("says is empty"))
	}
	if s.Weight <= 0 || s.Weight >= 1 {
		errs = append(errs, fmt.Errorf("weight %v outside (0, 1)", s.Weight))
	}
	if s.IncidentMinutes < 0 || s.IncidentMinutes > 24*60 {
		errs = append(errs, fmt.Errorf("incident_minutes %d outside [0, 1440]", s.IncidentMinutes))
	}
	switch {
	case s.Check != "":
		if _, ok := checks[s.Check]; !ok {
			errs = append(errs, fmt.Errorf("unknown check %q", s.Check))
		}
		if s.Kind != "" || len(s.Equals)+len(s.AnyOf)+len(s.Regex) > 0 {
			errs = append(errs, errors.New("a check signal cannot also match attributes"))
		}
	case s.Kind == "":
		errs = append(errs, errors.New("needs a kind or a check"))
	case evidence.Schema[s.Kind] == nil && s.Kind != evidence.KindDerived:
		errs = append(errs, fmt.Errorf("unknown kind %q", s.Kind))
	default:
		for _, a := range s.undeclared() {
			errs = append(errs, fmt.Errorf("kind %q declares no attribute %q (see Schema in evidence/schema.go)", s.Kind, a))
		}
	}
	s.regex = make(map[string]*regexp.Regexp, len(s.Regex))
	for attr, expr := range s.Regex {
		re, err := regexp.Compile(expr)
		if err != nil {
			errs = append(errs, fmt.Errorf("regex for %q: %w", attr, err))
			continue
		}
		s.regex[attr] = re
	}
	return errs
}

// matches reports whether an evidence item satisfies an attribute signal.
// Comparisons ignore case: Windows itself is case-insensitive about
// provider names, paths and enum values.
func (s *Signal) matches(e *evidence.Evidence) bool {
	if e.Kind != s.Kind {
		return false
	}
	for k, want := range s.Equals {
		if !strings.EqualFold(e.Attrs[k], want) {
			return false
		}
	}
	for k, wants := range s.AnyOf {
		if !slices.ContainsFunc(wants, func(w string) bool { return strings.EqualFold(e.Attrs[k], w) }) {
			return false
		}
	}
	for k, re := range s.regex {
		if !re.MatchString(e.Attrs[k]) {
			return false
		}
	}
	return true
}
