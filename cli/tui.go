package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/config"
	"github.com/mskx/mskx/kafka"
	"github.com/mskx/mskx/kafka/kafkatest"
	"github.com/mskx/mskx/themes"
	"github.com/mskx/mskx/ui"
	"github.com/mskx/mskx/ui/login"
)

// uiFlags are the flags of the terminal UI, shared by mskx and mskx demo.
type uiFlags struct {
	theme    string
	maxFPS   int
	ringSize int
	topic    string
	offset   string
}

func addUIFlags(fs *pflag.FlagSet) *uiFlags {
	f := &uiFlags{}
	fs.StringVar(&f.theme, "theme", "", "colour theme: dark, light, high-contrast or mono (default: mono when NO_COLOR is set, else dark)")
	fs.IntVar(&f.maxFPS, "max-fps", 10, "most redraws per second while records flow")
	fs.IntVar(&f.ringSize, "ring-size", kafka.DefaultRingSize, "how many of the newest records the tail keeps")
	fs.StringVarP(&f.topic, "topic", "t", "", "open this topic's tail at start (env MSK_TOPIC)")
	fs.StringVarP(&f.offset, "offset", "o", "end", "where tails start: beginning, end, OFFSET, -N or @TIME")
	return f
}

func (f *uiFlags) options(st IO) (ui.Options, error) {
	var o ui.Options
	o.Palette = themes.Default(st.getenv)
	if f.theme != "" {
		p, err := themes.ByName(f.theme)
		if err != nil {
			return o, usageError{err}
		}
		o.Palette = p
	}
	if f.maxFPS < 1 || f.maxFPS > 120 {
		return o, usagef("--max-fps %d is out of range: use 1 to 120", f.maxFPS)
	}
	if f.ringSize < 100 || f.ringSize > 10_000_000 {
		return o, usagef("--ring-size %d is out of range: use 100 to 10000000", f.ringSize)
	}
	start, err := kafka.ParseStart(f.offset)
	if err != nil {
		return o, usageError{err}
	}
	o.MaxFPS = f.maxFPS
	o.Tail = kafka.TailOptions{Start: start, RingSize: f.ringSize}
	o.Topic = f.topic
	if o.Topic == "" {
		o.Topic = st.getenv("MSK_TOPIC")
	}
	return o, nil
}

func tuiCommand() command {
	return command{
		name:    "",
		summary: "the terminal UI",
		usage:   "[connection flags] [-t TOPIC] [-o START] [--theme NAME]",
		help: `Opens the terminal UI. With -b and --auth (or their environment variables) it
connects at once; otherwise it opens the login screen, pre-filled from the flags,
the environment and the last connection saved in $XDG_CONFIG_HOME/mskx/config.yaml
(written 0600; it never holds a password or a secret's value). The panes are
topics (1), the live tail (2) and the producer form (3). Keys: tab and number keys
move between panes, enter opens, esc goes back, / filters, space pauses the tail,
? shows every key, q quits.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			uf := addUIFlags(fs)
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unknown command %q: run 'mskx --help' for the list", args[0])
				}
				file, path := loadConfig(st)
				uf.applySettings(fs, file.Settings)
				o, err := uf.options(st)
				if err != nil {
					return err
				}
				if !st.terminal() {
					return usagef("the terminal UI needs a terminal: for pipes and scripts use consume, produce or topics")
				}
				defer setGCPercent(st, uiGCPercent)()
				cfg, full, err := conn.partialConfig(st)
				if err != nil {
					return err
				}
				o.ReadOnly = conn.isReadOnly(st)
				if full {
					s, cl, err := conn.connect(ctx, st)
					if err != nil {
						return err
					}
					defer s.Close()
					return ui.Run(ctx, s, info(ctx, s, cl), o)
				}
				if len(cfg.Brokers) == 0 && cfg.ClusterARN == "" {
					if last, ok := file.Get(file.Last); ok {
						cfg = last.AuthConfig()
					}
				}
				lopts := []login.Option{login.DialTimeout(conn.timeout)}
				if o.ReadOnly {
					lopts = append(lopts, login.SessionOpts(kafka.ReadOnly()))
				}
				cl, err := ui.RunLogin(ctx, cfg, o, lopts...)
				if cl != nil && path != "" {
					file.Put(config.FromAuthConfig(connectionName(cl.Config), cl.Config))
					if serr := config.Save(path, file); serr != nil {
						fmt.Fprintf(st.Stderr, "mskx: warning: could not save the connection: %v\n", serr)
					}
				}
				return err
			}
		},
	}
}

// loadConfig reads the config file; a broken file is a warning, not a
// reason to refuse to start. path is "" when there is no usable location.
func loadConfig(st IO) (config.File, string) {
	path, err := config.DefaultPath(st.getenv)
	if err != nil {
		return config.File{}, ""
	}
	f, err := config.Load(path)
	if err != nil {
		fmt.Fprintf(st.Stderr, "mskx: warning: %v; starting without it\n", err)
		return config.File{}, ""
	}
	return f, path
}

// applySettings takes the config file's settings where no flag was given.
func (f *uiFlags) applySettings(fs *pflag.FlagSet, s config.Settings) {
	if s.Theme != "" && !fs.Changed("theme") {
		f.theme = s.Theme
	}
	if s.MaxFPS > 0 && !fs.Changed("max-fps") {
		f.maxFPS = s.MaxFPS
	}
	if s.RingSize > 0 && !fs.Changed("ring-size") {
		f.ringSize = s.RingSize
	}
}

// connectionName names a saved connection after where it goes.
func connectionName(c auth.Config) string {
	if c.ClusterARN != "" {
		return c.ClusterARN
	}
	if len(c.Brokers) > 0 {
		return string(c.Mode) + " " + c.Brokers[0]
	}
	return string(c.Mode)
}

// info is what the status line shows about a connection. The metadata and
// identity lookups are best effort: the UI works without them.
func info(ctx context.Context, s *kafka.Session, cl *auth.Client) ui.Info {
	md, _ := s.Metadata(ctx)
	var id *auth.Identity
	if cl.AWS != nil {
		ictx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if who, err := auth.WhoAmI(ictx, *cl.AWS); err == nil {
			id = &who
		}
	}
	return ui.NewInfo(cl, id, md)
}

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "the terminal UI on an embedded cluster with sample topics and live traffic",
		usage:   "[-t TOPIC] [--theme NAME]",
		help: `Starts a Kafka cluster inside mskx, on 127.0.0.1 with free ports, with sample
topics (JSON orders with keys and headers, text logs, binary sensor readings, a
dead-letter topic with hostile payloads), a producer writing a few records per
second and consumer groups with lag, and opens the terminal UI on it. Nothing
leaves this machine and no AWS account is needed; the cluster and its data are
gone when mskx exits. Connection flags are accepted but ignored, except
--read-only.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			uf := addUIFlags(fs)
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if !fs.Changed("offset") {
					uf.offset = "beginning" // the sample topics are small: show them whole
				}
				o, err := uf.options(st)
				if err != nil {
					return err
				}
				var sopts []kafka.Opt
				if conn.readOnly {
					o.ReadOnly = true
					sopts = append(sopts, kafka.ReadOnly())
				}
				if !st.terminal() {
					return usagef("the terminal UI needs a terminal: run mskx demo in a terminal")
				}
				defer setGCPercent(st, uiGCPercent)()
				d, err := kafkatest.StartDemo()
				if err != nil {
					return fmt.Errorf("start the demo cluster: %w", err)
				}
				defer d.Close()
				s, err := kafka.Open(ctx, kafka.Endpoint{Brokers: d.Brokers}, sopts...)
				if err != nil {
					return err
				}
				defer s.Close()
				return ui.Run(ctx, s, ui.Info{Cluster: "demo cluster (in process)", Auth: "plaintext"}, o)
			}
		},
	}
}
