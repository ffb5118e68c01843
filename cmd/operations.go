package cmd

import (
	"github.com/spf13/cobra"

	"github.com/pocketkms/pkms/kms"
)

// operationCommands returns one command per AWS KMS operation, or only
// the one named by only when that is an operation (one reports which).
func operationCommands(g *globals, only string) (cmds []*cobra.Command, one bool) {
	for _, op := range kms.Operations() {
		if kebab(op.Name) == only {
			return []*cobra.Command{constructors[op.Name](g)}, true
		}
	}
	for _, op := range kms.Operations() {
		cmds = append(cmds, constructors[op.Name](g))
	}
	return cmds, false
}

// constructors maps each operation to the function that builds its command.
var constructors = map[string]func(*globals) *cobra.Command{
	"ExportKeyMaterial":                   newCmdExportKeyMaterial,
	"CancelKeyDeletion":                   newCmdCancelKeyDeletion,
	"ConnectCustomKeyStore":               newCmdConnectCustomKeyStore,
	"CreateAlias":                         newCmdCreateAlias,
	"CreateCustomKeyStore":                newCmdCreateCustomKeyStore,
	"CreateGrant":                         newCmdCreateGrant,
	"CreateKey":                           newCmdCreateKey,
	"Decrypt":                             newCmdDecrypt,
	"DeleteAlias":                         newCmdDeleteAlias,
	"DeleteCustomKeyStore":                newCmdDeleteCustomKeyStore,
	"DeleteImportedKeyMaterial":           newCmdDeleteImportedKeyMaterial,
	"DeriveSharedSecret":                  newCmdDeriveSharedSecret,
	"DescribeCustomKeyStores":             newCmdDescribeCustomKeyStores,
	"DescribeKey":                         newCmdDescribeKey,
	"DisableKey":                          newCmdDisableKey,
	"DisableKeyRotation":                  newCmdDisableKeyRotation,
	"DisconnectCustomKeyStore":            newCmdDisconnectCustomKeyStore,
	"EnableKey":                           newCmdEnableKey,
	"EnableKeyRotation":                   newCmdEnableKeyRotation,
	"Encrypt":                             newCmdEncrypt,
	"GenerateDataKey":                     newCmdGenerateDataKey,
	"GenerateDataKeyPair":                 newCmdGenerateDataKeyPair,
	"GenerateDataKeyPairWithoutPlaintext": newCmdGenerateDataKeyPairWithoutPlaintext,
	"GenerateDataKeyWithoutPlaintext":     newCmdGenerateDataKeyWithoutPlaintext,
	"GenerateMac":                         newCmdGenerateMac,
	"GenerateRandom":                      newCmdGenerateRandom,
	"GetKeyLastUsage":                     newCmdGetKeyLastUsage,
	"GetKeyPolicy":                        newCmdGetKeyPolicy,
	"GetKeyRotationStatus":                newCmdGetKeyRotationStatus,
	"GetParametersForImport":              newCmdGetParametersForImport,
	"GetPublicKey":                        newCmdGetPublicKey,
	"ImportKeyMaterial":                   newCmdImportKeyMaterial,
	"ListAliases":                         newCmdListAliases,
	"ListGrants":                          newCmdListGrants,
	"ListKeyPolicies":                     newCmdListKeyPolicies,
	"ListKeyRotations":                    newCmdListKeyRotations,
	"ListKeys":                            newCmdListKeys,
	"ListResourceTags":                    newCmdListResourceTags,
	"ListRetirableGrants":                 newCmdListRetirableGrants,
	"PutKeyPolicy":                        newCmdPutKeyPolicy,
	"ReEncrypt":                           newCmdReEncrypt,
	"ReplicateKey":                        newCmdReplicateKey,
	"RetireGrant":                         newCmdRetireGrant,
	"RevokeGrant":                         newCmdRevokeGrant,
	"RotateKeyOnDemand":                   newCmdRotateKeyOnDemand,
	"ScheduleKeyDeletion":                 newCmdScheduleKeyDeletion,
	"Sign":                                newCmdSign,
	"TagResource":                         newCmdTagResource,
	"UntagResource":                       newCmdUntagResource,
	"UpdateAlias":                         newCmdUpdateAlias,
	"UpdateCustomKeyStore":                newCmdUpdateCustomKeyStore,
	"UpdateKeyDescription":                newCmdUpdateKeyDescription,
	"UpdatePrimaryRegion":                 newCmdUpdatePrimaryRegion,
	"Verify":                              newCmdVerify,
	"VerifyMac":                           newCmdVerifyMac,
}
