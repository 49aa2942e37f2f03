package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/kafka"
)

func checkCommand() command {
	return command{
		name:    "check",
		summary: "diagnose the connection step by step",
		usage:   "[connection flags]",
		help: `Connects step by step and prints each step with its duration: the AWS identity
(IAM and Secrets Manager only), resolve, TCP, TLS, SASL and metadata. Stops at
the first failure, names it and says what to check (security group, port for the
auth mode, CA, clock, credentials, IAM policy). Exit status 0 only when every
step passes.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				return runCheck(ctx, st, conn)
			}
		},
	}
}

func runCheck(ctx context.Context, st IO, conn *connFlags) error {
	cfg, err := conn.config(st)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.Stdout, "checking %s connection to %s\n", cfg.Mode, brokersText(cfg))
	cl, err := conn.build(ctx, st)
	if err != nil {
		printStep(st, kafka.Step{Name: "config", Err: err})
		return fmt.Errorf("check failed before connecting")
	}
	if cl.AWS != nil {
		start := time.Now()
		id, err := auth.WhoAmI(ctx, *cl.AWS)
		step := kafka.Step{Name: "identity", Duration: time.Since(start), Err: err}
		if err == nil {
			step.Detail = fmt.Sprintf("%s (%s, account %s, region %s)", id.ARN, id.Source, id.Account, cl.Config.Region)
		}
		printStep(st, step)
		if err != nil {
			return fmt.Errorf("check failed at identity")
		}
	}
	_, err = kafka.Check(ctx, endpoint(cl), conn.timeout, func(s kafka.Step) { printStep(st, s) }, conn.sessionOpts(st)...)
	if err != nil {
		return fmt.Errorf("check failed")
	}
	fmt.Fprintln(st.Stdout, "all steps passed")
	return nil
}

func brokersText(cfg auth.Config) string {
	if len(cfg.Brokers) == 0 {
		return "the brokers of " + cfg.ClusterARN
	}
	return fmt.Sprint(cfg.Brokers)
}

func printStep(st IO, s kafka.Step) {
	switch {
	case s.Skipped:
		fmt.Fprintf(st.Stdout, "  -    %-9s %8s  %s\n", s.Name, "", s.Detail)
	case s.Err != nil:
		fmt.Fprintf(st.Stdout, "  FAIL %-9s %8s  %v\n", s.Name, round(s.Duration), s.Err)
	default:
		fmt.Fprintf(st.Stdout, "  ok   %-9s %8s  %s\n", s.Name, round(s.Duration), s.Detail)
	}
}

func round(d time.Duration) string {
	if d == 0 {
		return ""
	}
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(100 * time.Microsecond).String()
}

func topicsCommand() command {
	return command{
		name:    "topics",
		summary: "list topics with partitions, replication and message counts",
		usage:   "[connection flags] [--json] [--internal]",
		help: `Lists topics: name, partitions, replication factor, and messages (the sum over
partitions of high minus low watermark). Internal topics are hidden unless
--internal is given. Topics that could not be read are listed with their error
and the exit status is 1.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
			internal := fs.Bool("internal", false, "include internal topics such as __consumer_offsets")
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if _, err := conn.config(st); err != nil {
					return err
				}
				s, _, err := conn.connect(ctx, st)
				if err != nil {
					return err
				}
				defer s.Close()
				topics, err := s.Topics(ctx)
				if err != nil {
					return err
				}
				return printTopics(st, topics, *asJSON, *internal)
			}
		},
	}
}

func printTopics(st IO, topics []kafka.Topic, asJSON, internal bool) error {
	type row struct {
		Name        string `json:"name"`
		Partitions  int    `json:"partitions"`
		Replication int    `json:"replication"`
		Messages    int64  `json:"messages"`
		Internal    bool   `json:"internal"`
		Error       string `json:"error,omitempty"`
	}
	rows := []row{}
	failed := 0
	for _, t := range topics {
		if t.Internal && !internal {
			continue
		}
		r := row{Name: t.Name, Partitions: t.Partitions, Replication: t.Replication, Messages: t.Messages, Internal: t.Internal}
		if t.Err != nil {
			r.Error = t.Err.Error()
			failed++
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(st.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(st.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tPARTITIONS\tREPLICATION\tMESSAGES\t")
		for _, r := range rows {
			name := kafka.Sanitize([]byte(r.Name))
			if r.Error != "" {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\terror: %s\n", name, r.Partitions, r.Replication, r.Messages, r.Error)
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", name, r.Partitions, r.Replication, r.Messages)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d topics could not be fully read: see their errors above", failed, len(rows))
	}
	return nil
}
