package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/mskx/mskx/auth"
	"github.com/mskx/mskx/auth/awstest"
)

func TestListSCRAMSecrets(t *testing.T) {
	srv := awstest.New(t)
	srv.Env(t)
	cfg, err := auth.LoadAWS(ctxT(t), auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	sm := secretsmanager.NewFromConfig(cfg)
	const value = "Never-Listed-Pw-7731"
	// Created out of order, with other secrets between, over several pages.
	arns := map[string]string{}
	for _, name := range []string{"AmazonMSK_zed", "db-password", "AmazonMSK_alice", "amazonmsk_lowercase", "AmazonMSK_bob", "AmazonMSK_carol", "other_AmazonMSK_x"} {
		arns[name] = srv.PutSecret(name, `{"username":"u","password":"`+value+`"}`)
	}
	srv.SetPageSize(2)

	got, err := auth.ListSCRAMSecrets(ctxT(t), sm)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
		if s.ARN != arns[s.Name] {
			t.Errorf("%s: ARN %q, want %q", s.Name, s.ARN, arns[s.Name])
		}
	}
	if want := "AmazonMSK_alice,AmazonMSK_bob,AmazonMSK_carol,AmazonMSK_zed"; strings.Join(names, ",") != want {
		t.Errorf("listed %v, want %s", names, want)
	}
	if n := srv.Calls("ListSecrets"); n < 2 {
		t.Errorf("ListSecrets called %d times with pages of 2: the pages were not followed", n)
	}
	if n := srv.Calls("GetSecretValue"); n != 0 {
		t.Errorf("listing read %d secret values", n)
	}

	srv.Deny("ListSecrets")
	_, err = auth.ListSCRAMSecrets(ctxT(t), sm)
	if !errors.Is(err, auth.ErrListSecretsDenied) {
		t.Fatalf("denied: %v, want ErrListSecretsDenied", err)
	}
	for _, want := range []string{"denied", "secretsmanager:ListSecrets", "typing the secret's name still works"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("denied error %q lacks %q", err, want)
		}
	}

	// Another failure is not a denial.
	srv.Allow("ListSecrets")
	srv.Fail("ListSecrets", awstest.Fault{Status: 400, Code: "InvalidRequestException", Message: "broken"})
	_, err = auth.ListSCRAMSecrets(ctxT(t), sm)
	if err == nil || errors.Is(err, auth.ErrListSecretsDenied) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("other failure: %v", err)
	}
}
