package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// term runs a program on a pseudo-terminal of a fixed size and follows
// what it draws: every byte it writes is counted and fed to a screen.
type term struct {
	cmd    *exec.Cmd
	master *os.File
	start  time.Time

	mu    sync.Mutex
	scr   *screen
	bytes int64
	done  bool
	// watch, when set, is tested after each read; the time of the read
	// that first satisfied it is sent on watchAt. One waiter at a time.
	watch   func(string) bool
	watchAt chan time.Time
}

// openPTY returns a new pseudo-terminal pair of the given size.
func openPTY(w, h int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd()) // blocking reads from here on, from one goroutine
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := &unix.Winsize{Row: uint16(h), Col: uint16(w)}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("set pty size: %w", err)
	}
	return master, slave, nil
}

// startTerm starts argv on a new w x h terminal with env added to a
// minimal environment.
func startTerm(w, h int, env []string, argv ...string) (*term, error) {
	master, slave, err := openPTY(w, h)
	if err != nil {
		return nil, err
	}
	defer slave.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "LANG=C.UTF-8"}, env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	t := &term{cmd: cmd, master: master, scr: newScreen(w, h)}
	t.start = time.Now()
	if err := cmd.Start(); err != nil {
		master.Close()
		return nil, err
	}
	go t.read()
	return t, nil
}

func (t *term) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := t.master.Read(buf)
		now := time.Now()
		t.mu.Lock()
		if n > 0 {
			t.bytes += int64(n)
			t.scr.Write(buf[:n])
			if t.watch != nil && t.watch(t.scr.String()) {
				t.watchAt <- now
				t.watch = nil
			}
		}
		if err != nil {
			t.done = true
		}
		t.mu.Unlock()
		if err != nil {
			return // EIO once the program and its children have gone
		}
	}
}

// Bytes is how many bytes the program has written so far.
func (t *term) Bytes() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bytes
}

// Screen is the screen as text.
func (t *term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.scr.String()
}

var errTimeout = errors.New("timed out")

// waitFor waits until the screen satisfies ok and returns the time of the
// read that made it so.
func (t *term) waitFor(ok func(string) bool, timeout time.Duration) (time.Time, error) {
	at := make(chan time.Time, 1)
	t.mu.Lock()
	if ok(t.scr.String()) {
		t.mu.Unlock()
		return time.Now(), nil
	}
	if t.done {
		t.mu.Unlock()
		return time.Time{}, fmt.Errorf("the program ended; last screen:\n%s", t.Screen())
	}
	t.watch, t.watchAt = ok, at
	t.mu.Unlock()
	select {
	case when := <-at:
		return when, nil
	case <-time.After(timeout):
		t.mu.Lock()
		t.watch = nil
		s := t.scr.String()
		t.mu.Unlock()
		return time.Time{}, fmt.Errorf("%w after %s; last screen:\n%s", errTimeout, timeout, s)
	}
}

// waitText waits until the screen shows text.
func (t *term) waitText(text string, timeout time.Duration) (time.Time, error) {
	return t.waitFor(func(s string) bool { return strings.Contains(s, text) }, timeout)
}

// Type writes keys to the program.
func (t *term) Type(s string) error {
	_, err := t.master.WriteString(s)
	return err
}

// Pid is the program's process ID.
func (t *term) Pid() int { return t.cmd.Process.Pid }

// Close ends the program (ctrl+c, then a kill if it lingers) and releases the
// terminal.
func (t *term) Close() {
	t.Type("\x03")
	exited := make(chan struct{})
	go func() { t.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.cmd.Process.Kill()
		<-exited
	}
	t.master.Close()
}

// vmHWM is the peak resident set of a process, from /proc.
func vmHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}
