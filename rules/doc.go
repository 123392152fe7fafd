// Package rules is hvtriage's knowledge: the catalog of documented causes (catalog/*.json, one file
// per area, loaded strictly by catalog.go), the Go checks for what attribute
// matching cannot express (checks_<area>.go), and the engine that weighs
// the signals of each cause into findings, causes ruled out and inputs
// missing (engine.go).
//
// A cause's text — title, explanation, signals, resolution — lives only in
// the catalog. The engine is generic: it never mentions a cause by name.
// The evidence it weighs, and the attributes each kind of evidence may
// carry, are defined in package evidence, which the extractors import too.
package rules
