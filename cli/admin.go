package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mskx/mskx/kafka"
)

// topicCommand is topic administration without the UI: create, add
// partitions, set or reset a config, delete. Every action is refused on a
// read-only setup before anything connects.
func topicCommand() command {
	return command{
		name:    "topic",
		summary: "create or delete a topic, add partitions, set or reset a config",
		usage: `create NAME [--partitions N] [--replication R] [--config key=value ...]
       mskx topic add-partitions NAME TOTAL
       mskx topic set-config NAME key=value
       mskx topic reset-config NAME key
       mskx topic delete NAME --yes
       (each with [connection flags])`,
		help: `Administers one topic. create makes it with N partitions (default 3), replication
R (default -1: the cluster's default; MSK Serverless fixes it) and topic configs
such as retention.ms, retention.bytes, cleanup.policy or min.insync.replicas.
add-partitions raises the partition count to TOTAL (Kafka cannot lower it, and
keys may map to other partitions afterwards). set-config sets one config;
reset-config returns it to the cluster default. delete removes the topic and all
its messages, and needs --yes. With --read-only (or read_only: true in the config
file) every action is refused.`,
		flags: func(fs *pflag.FlagSet) func(context.Context, IO, *connFlags, []string) error {
			partitions := fs.Int32("partitions", 3, "create: number of partitions")
			replication := fs.Int16("replication", -1, "create: replication factor (-1: the cluster default)")
			configs := fs.StringArray("config", nil, "create: topic config key=value (repeatable)")
			yes := fs.Bool("yes", false, "delete: confirm that the topic and its messages go for good")
			return func(ctx context.Context, st IO, conn *connFlags, args []string) error {
				act, err := parseTopicAction(args, *partitions, *replication, *configs, *yes)
				if err != nil {
					return err
				}
				if conn.isReadOnly(st) {
					return fmt.Errorf("refusing to %s topic %s: %w", act.verb, act.topic, kafka.ErrReadOnly)
				}
				if _, err := conn.config(st); err != nil {
					return err
				}
				s, _, err := conn.connect(ctx, st)
				if err != nil {
					return err
				}
				defer s.Close()
				if err := act.run(ctx, s); err != nil {
					return err
				}
				fmt.Fprintln(st.Stdout, act.done)
				return nil
			}
		},
	}
}

// topicAction is one parsed topic command, checked before connecting.
type topicAction struct {
	verb  string // for messages: "create", "delete"...
	topic string
	done  string // printed on success
	run   func(context.Context, *kafka.Session) error
}

func parseTopicAction(args []string, partitions int32, replication int16, configs []string, yes bool) (topicAction, error) {
	if len(args) == 0 {
		return topicAction{}, usagef("no action: use create, add-partitions, set-config, reset-config or delete, then the topic name")
	}
	want := map[string]int{"create": 2, "delete": 2, "add-partitions": 3, "set-config": 3, "reset-config": 3}
	n, ok := want[args[0]]
	if !ok {
		return topicAction{}, usagef("unknown action %q: use create, add-partitions, set-config, reset-config or delete", args[0])
	}
	if len(args) != n {
		return topicAction{}, usagef("%s takes %d argument(s) after it, got %d: run 'mskx topic --help'", args[0], n-1, len(args)-1)
	}
	name := args[1]
	if err := kafka.ValidateTopicName(name); err != nil {
		return topicAction{}, usageError{err}
	}
	a := topicAction{verb: args[0], topic: name}
	switch args[0] {
	case "create":
		if partitions < 1 {
			return a, usagef("--partitions %d is not valid: a topic needs at least 1", partitions)
		}
		if replication == 0 || replication < -1 {
			return a, usagef("--replication %d is not valid: use 1 or more, or -1 for the cluster default", replication)
		}
		cfg := map[string]*string{}
		for _, kv := range configs {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return a, usagef("--config %q is not key=value, e.g. --config retention.ms=86400000", kv)
			}
			if err := kafka.ValidateTopicConfig(k, v); err != nil {
				return a, usageError{err}
			}
			cfg[k] = &v
		}
		a.done = fmt.Sprintf("created topic %s with %d partitions", name, partitions)
		a.run = func(ctx context.Context, s *kafka.Session) error {
			return s.CreateTopic(ctx, name, partitions, replication, cfg)
		}
	case "delete":
		if !yes {
			return a, usagef("deleting %s removes it and all its messages for good: pass --yes to confirm", name)
		}
		a.done = "deleted topic " + name
		a.run = func(ctx context.Context, s *kafka.Session) error { return s.DeleteTopic(ctx, name) }
	case "add-partitions":
		total, err := strconv.Atoi(args[2])
		if err != nil || total < 1 {
			return a, usagef("partition total %q is not a positive number", args[2])
		}
		a.verb = "add partitions to"
		a.done = fmt.Sprintf("topic %s now has %d partitions", name, total)
		a.run = func(ctx context.Context, s *kafka.Session) error { return s.AddPartitions(ctx, name, total) }
	case "set-config":
		k, v, ok := strings.Cut(args[2], "=")
		if !ok || k == "" {
			return a, usagef("%q is not key=value, e.g. retention.ms=86400000", args[2])
		}
		if err := kafka.ValidateTopicConfig(k, v); err != nil {
			return a, usageError{err}
		}
		a.verb = "change a config of"
		a.done = fmt.Sprintf("set %s=%s on %s", k, v, name)
		a.run = func(ctx context.Context, s *kafka.Session) error { return s.SetTopicConfig(ctx, name, k, v) }
	case "reset-config":
		k := args[2]
		if strings.Contains(k, "=") {
			return a, usagef("reset-config takes a config name without a value, e.g. retention.ms")
		}
		a.verb = "change a config of"
		a.done = fmt.Sprintf("reset %s on %s to the cluster default", k, name)
		a.run = func(ctx context.Context, s *kafka.Session) error { return s.ResetTopicConfig(ctx, name, k) }
	}
	return a, nil
}
