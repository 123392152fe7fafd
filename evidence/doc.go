// Package evidence is the vocabulary the extractors and the rules share: the
// kinds of evidence, the attributes each kind may carry (Schema), where in a
// bundle file an item was read (Locator), and which inputs a bundle covers
// (Coverage).
//
// It sits below both sides and imports neither. An extractor builds
// Evidence values; the rules catalog names kinds and attributes, and its
// loader rejects any attribute a kind does not declare here, so a typo in
// the catalog fails the tests instead of silently never matching.
package evidence
