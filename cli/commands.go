package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
		usage:   "[connection flags] [--topic TOPIC [--group GROUP] [--write]]",
		help: `Connects step by step and prints each step with its duration: the AWS identity
(IAM and Secrets Manager only), resolve, TCP, TLS, SASL and metadata. Stops at
the first failure, names it and says what to check (security group, port for the
auth mode, CA, clock, credentials, IAM policy). Exit status 0 only when every
step passes.

With --topic, it then tries what a client of the topic needs and prints one line
per kafka-cluster action: its verdict (allowed, denied, error or skipped), the
action and its resource ARN. It tries Connect, DescribeCluster, DescribeTopic,
ReadData (one fetch from the earliest offsets; nothing is consumed), with --write
WriteData and WriteDataIdempotently (it writes one record with an mskx-check
header), and with --group DescribeGroup (AlterGroup is not tried, as that would
commit offsets for the group). For refusals on an IAM connection it says what the
policy lacks and prints a policy that allows it; --cluster-arn names the cluster
in the ARNs. Exit status 0 only when every action tried is allowed.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			topic := fs.StringP("topic", "t", "", "then check access to this topic: describe and read it (and write with --write)")
			group := fs.StringP("group", "g", "", "with --topic, also check describing this consumer group and its offsets")
			write := fs.Bool("write", false, "with --topic, also check writing by producing one small record to it")
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if *topic == "" && *write {
					return usagef("--write needs --topic: name the topic to write the test record to")
				}
				if *topic == "" && *group != "" {
					return usagef("--group needs --topic: name the topic the group reads")
				}
				return runCheck(ctx, st, conn, kafka.AccessOptions{Topic: *topic, Group: *group, Write: *write})
			}
		},
	}
}

// identityTimeout bounds asking STS who the credentials are, which needs
// more than one connection attempt's time when the SDK retries.
const identityTimeout = 15 * time.Second

func runCheck(ctx context.Context, st IO, conn *connFlags, access kafka.AccessOptions) error {
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
	var account string
	if cl.AWS != nil {
		start := time.Now()
		idCtx, cancel := context.WithTimeout(ctx, max(conn.timeout, identityTimeout))
		id, err := auth.WhoAmI(idCtx, *cl.AWS)
		cancel()
		step := kafka.Step{Name: "identity", Duration: time.Since(start), Err: err}
		if err == nil {
			step.Detail = fmt.Sprintf("%s (%s, account %s, region %s)", id.ARN, id.Source, id.Account, cl.Config.Region)
			account = id.Account
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
	if access.Topic == "" {
		return nil
	}
	access.Resources = kafka.Resources{ClusterARN: cl.Config.ClusterARN, Region: cl.Config.Region, Account: account}
	access.Timeout = conn.timeout
	return runAccessCheck(ctx, st, conn, cl, access)
}

// runAccessCheck opens a session and prints what CheckAccess found, one
// line per action, then the policy that would allow every refusal.
func runAccessCheck(ctx context.Context, st IO, conn *connFlags, cl *auth.Client, access kafka.AccessOptions) error {
	s, err := kafka.Open(ctx, endpoint(cl), conn.sessionOpts(st)...)
	if err != nil {
		return fmt.Errorf("open a session for the access checks: %w", err)
	}
	defer s.Close()
	what := "topic " + access.Topic
	if access.Group != "" {
		what += " and group " + access.Group
	}
	fmt.Fprintf(st.Stdout, "checking access to %s\n", what)
	if cl.Config.Mode != auth.IAM {
		fmt.Fprintf(st.Stdout, "  (%s: the cluster's ACLs decide; actions are named as an IAM policy would name them)\n", cl.Config.Mode)
	}
	results := s.CheckAccess(ctx, access)
	tried, failed := 0, 0
	for _, r := range results {
		printAccess(st, r)
		switch {
		case r.Verdict == kafka.VerdictSkipped:
			continue
		case r.Action == "kafka-cluster:DescribeCluster":
			// Reported for the policy's sake, but nothing mskx does
			// needs it, so a refusal does not fail the check.
			continue
		case r.Verdict == kafka.VerdictDenied || r.Verdict == kafka.VerdictError:
			failed++
		}
		tried++
	}
	if p := kafka.AccessPolicy(results); p != "" {
		fmt.Fprintf(st.Stdout, "\nIAM policy that allows what was denied (add it to the role or user above):\n%s\n", p)
	}
	if failed > 0 {
		verb := "were"
		if failed == 1 {
			verb = "was"
		}
		return fmt.Errorf("%d of the %d actions tried %s not allowed: see the lines above", failed, tried, verb)
	}
	fmt.Fprintln(st.Stdout, "all actions tried that mskx needs are allowed")
	return nil
}

// printAccess prints one action: verdict, action, resource, and what was
// found, the advice for an IAM refusal, or why it was skipped.
func printAccess(st IO, r kafka.AccessResult) {
	verdict, detail := r.Verdict, r.Detail
	switch r.Verdict {
	case kafka.VerdictDenied, kafka.VerdictError:
		verdict = strings.ToUpper(verdict)
	}
	if r.Advice != nil {
		detail = r.Advice.Summary
	}
	// Details can quote the cluster (its ID, an error message).
	fmt.Fprintf(st.Stdout, "  %-7s  %-35s  %s  %s\n", verdict, r.Action, r.Resource, kafka.Sanitize([]byte(detail)))
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
