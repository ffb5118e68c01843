package cmd

import "github.com/spf13/cobra"

func init() { operationCommand("PutKeyPolicy", newCmdPutKeyPolicy) }

// newCmdPutKeyPolicy is `pkms put-key-policy`, AWS KMS PutKeyPolicy.
func newCmdPutKeyPolicy(g *globals) *cobra.Command {
	return opCommand(g, "PutKeyPolicy", opDoc{
		Short:   operationShort["PutKeyPolicy"],
		Differs: "Key policies are validated (JSON, size, the lockout safety check) and stored, but not evaluated: a vault has one user.",
		Example: `  # replace the key policy; the lockout safety check wants the account to keep access
  K=$(pkms create-key --query KeyMetadata.KeyId --output text)
  ACCOUNT=$(pkms describe-key --key-id "$K" --query KeyMetadata.AWSAccountId --output text)
  cat > policy.json <<EOF
  {"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM policies", "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::$ACCOUNT:root"}, "Action": "kms:*", "Resource": "*"}]}
  EOF
  pkms put-key-policy --key-id "$K" --policy-name default --policy file://policy.json
  pkms get-key-policy --key-id "$K" --query Policy --output text`,
	})
}
