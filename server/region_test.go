package server

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
)

// One pkms serve answers every region: each SDK client acts in the region
// it signs for, sees that region's keys only, and a multi-Region key made
// in one region decrypts in the other.
func TestSDKTwoRegions(t *testing.T) {
	_, key, endpoint := startServe(t)
	ctx := context.Background()
	clients := map[string]*awskms.Client{}
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		clients[r] = awskms.New(awskms.Options{Region: r, BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey}, nil
			})})
	}
	ids := map[string]string{}
	for r, c := range clients {
		out, err := c.CreateKey(ctx, &awskms.CreateKeyInput{})
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		ids[r] = *out.KeyMetadata.KeyId
		if !strings.HasPrefix(*out.KeyMetadata.Arn, "arn:aws:kms:"+r+":") {
			t.Errorf("%s: Arn %s", r, *out.KeyMetadata.Arn)
		}
	}
	for _, tc := range []struct{ region, other string }{{"us-east-1", "eu-west-1"}, {"eu-west-1", "us-east-1"}} {
		c := clients[tc.region]
		l, err := c.ListKeys(ctx, &awskms.ListKeysInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, k := range l.Keys {
			got = append(got, *k.KeyId)
		}
		if !slices.Equal(got, []string{ids[tc.region]}) {
			t.Errorf("%s: ListKeys = %v, want [%s]", tc.region, got, ids[tc.region])
		}
		if _, err := c.DescribeKey(ctx, &awskms.DescribeKeyInput{KeyId: aws.String(ids[tc.other])}); apiCode(err) != "NotFoundException" {
			t.Errorf("%s: DescribeKey of the %s key: %v", tc.region, tc.other, err)
		}
	}

	east, west := clients["us-east-1"], clients["eu-west-1"]
	mrk, err := east.CreateKey(ctx, &awskms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	id := mrk.KeyMetadata.KeyId
	if _, err := east.ReplicateKey(ctx, &awskms.ReplicateKeyInput{KeyId: id, ReplicaRegion: aws.String("eu-west-1")}); err != nil {
		t.Fatal(err)
	}
	enc, err := east.Encrypt(ctx, &awskms.EncryptInput{KeyId: id, Plaintext: []byte("both regions")})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := west.Decrypt(ctx, &awskms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil {
		t.Fatal(err)
	}
	if string(dec.Plaintext) != "both regions" || *dec.KeyId != strings.Replace(*mrk.KeyMetadata.Arn, ":us-east-1:", ":eu-west-1:", 1) {
		t.Errorf("Decrypt in eu-west-1 = %q under %s", dec.Plaintext, *dec.KeyId)
	}
}
