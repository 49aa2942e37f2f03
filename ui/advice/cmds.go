package advice

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
)

// writeCmd writes the policy to a new file in dir, named after the time so
// that an earlier one is never overwritten. A policy holds ARNs and action
// names only, nothing secret, so the file is readable like any other.
func writeCmd(dir, policy string, now time.Time) tea.Cmd {
	return func() tea.Msg {
		base := "mskx-policy-" + now.Format("20060102-150405")
		for i := 0; i < 100; i++ {
			name := base + ".json"
			if i > 0 {
				name = fmt.Sprintf("%s-%d.json", base, i)
			}
			path := filepath.Join(dir, name)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			if err != nil {
				return writtenMsg{err: fmt.Errorf("cannot write the policy in %s: %w", dir, errors.Unwrap(err))}
			}
			_, err = f.WriteString(policy + "\n")
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return writtenMsg{err: fmt.Errorf("cannot write %s: %w", path, err)}
			}
			return writtenMsg{path: path}
		}
		return writtenMsg{err: fmt.Errorf("cannot write the policy in %s: too many policy files with this time; remove some", dir)}
	}
}
