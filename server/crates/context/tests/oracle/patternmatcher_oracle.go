// Answers .dockerignore questions with Docker's own matcher (github.com/moby/patternmatcher,
// as packaged by Debian in golang-github-moby-patternmatcher-dev), for the differential test
// in ../docker_oracle.rs. Reads a JSON array of cases on stdin and writes a JSON array of
// answers on stdout.
//
// The line-reading step (comments, trimming, cleaning, leading "/") is written here from
// Docker's documented rules; the matching, which is the intricate part, is Docker's code.
//
// Docker checks each pattern with Go's filepath.Match. Since Go 1.20 that check covers the
// whole pattern; Debian's Go 1.19 stops at the first chunk that fails to match, so
// validWithModernGo adds the later check back (Docker releases are built with newer Go).
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
)

type query struct {
	Lines []string `json:"lines"`
	Paths []string `json:"paths"`
}

type answer struct {
	// "new" when the matcher refused the patterns, "match" when matching a path failed.
	Error    string `json:"error"`
	Excluded []bool `json:"excluded"`
}

func patterns(lines []string) []string {
	var out []string
	for _, line := range lines {
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		exception := line[0] == '!'
		if exception {
			line = strings.TrimSpace(line[1:])
		}
		if line != "" {
			line = filepath.ToSlash(filepath.Clean(line))
			if len(line) > 1 && line[0] == '/' {
				line = line[1:]
			}
		}
		if exception {
			line = "!" + line
		}
		out = append(out, line)
	}
	return out
}

// excluded decides a path top-down, each directory handing its results to the next, as
// BuildKit's context walk (tonistiigi/fsutil) does.
func excluded(pm *patternmatcher.PatternMatcher, path string) (bool, error) {
	parts := strings.Split(path, "/")
	var info patternmatcher.MatchInfo
	var verdict bool
	var err error
	for i := range parts {
		verdict, info, err = pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false, err
		}
	}
	return verdict, nil
}

// validWithModernGo splits the pattern into star-free chunks the way filepath.Match does and
// validates each one; a chunk without '*' is fully parsed by filepath.Match even on a mismatch.
func validWithModernGo(pattern string) bool {
	pattern = strings.TrimPrefix(pattern, "!")
	for len(pattern) > 0 {
		pattern = strings.TrimLeft(pattern, "*")
		inClass := false
		i := 0
		for ; i < len(pattern); i++ {
			c := pattern[i]
			if c == '\\' && i+1 < len(pattern) {
				i++
			} else if c == '[' {
				inClass = true
			} else if c == ']' {
				inClass = false
			} else if c == '*' && !inClass {
				break
			}
		}
		if _, err := filepath.Match(pattern[:i], ""); err != nil {
			return false
		}
		pattern = pattern[i:]
	}
	return true
}

func main() {
	var queries []query
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		panic(err)
	}
	answers := make([]answer, 0, len(queries))
	for _, q := range queries {
		ps := patterns(q.Lines)
		valid := true
		for _, p := range ps {
			valid = valid && validWithModernGo(p)
		}
		pm, err := patternmatcher.New(ps)
		if err != nil || !valid {
			answers = append(answers, answer{Error: "new"})
			continue
		}
		a := answer{Excluded: make([]bool, 0, len(q.Paths))}
		for _, p := range q.Paths {
			verdict, err := excluded(pm, p)
			if err != nil {
				a = answer{Error: "match"}
				break
			}
			a.Excluded = append(a.Excluded, verdict)
		}
		answers = append(answers, a)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		panic(err)
	}
}
