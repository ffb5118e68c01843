package crypto

import (
	"slices"
	"testing"
)

func TestAlgorithmLists(t *testing.T) {
	rsaSign := []string{
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
		"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
	}
	oaep := []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
	tests := []struct {
		spec, usage      string
		sign, enc, agree []string
	}{
		// Order as AWS KMS answers get-public-key for an RSA_2048 key and as
		// botocore's DescribeKey examples list them.
		{"RSA_2048", "SIGN_VERIFY", rsaSign, nil, nil},
		{"RSA_3072", "SIGN_VERIFY", rsaSign, nil, nil},
		{"RSA_4096", "ENCRYPT_DECRYPT", nil, oaep, nil},
		{"RSA_2048", "KEY_AGREEMENT", nil, nil, nil},
		{"ECC_NIST_P256", "SIGN_VERIFY", []string{"ECDSA_SHA_256"}, nil, nil},
		{"ECC_NIST_P384", "SIGN_VERIFY", []string{"ECDSA_SHA_384"}, nil, nil},
		{"ECC_NIST_P521", "SIGN_VERIFY", []string{"ECDSA_SHA_512"}, nil, nil},
		{"ECC_NIST_P256", "KEY_AGREEMENT", nil, nil, []string{"ECDH"}},
		{"ECC_NIST_P384", "KEY_AGREEMENT", nil, nil, []string{"ECDH"}},
		{"ECC_NIST_P521", "KEY_AGREEMENT", nil, nil, []string{"ECDH"}},
		{"ECC_NIST_P256", "ENCRYPT_DECRYPT", nil, nil, nil},
		{"ECC_SECG_P256K1", "SIGN_VERIFY", []string{"ECDSA_SHA_256"}, nil, nil},
		{"ECC_SECG_P256K1", "KEY_AGREEMENT", nil, nil, nil},
		{"ECC_NIST_EDWARDS25519", "SIGN_VERIFY", []string{"ED25519_SHA_512", "ED25519_PH_SHA_512"}, nil, nil},
		{"ML_DSA_44", "SIGN_VERIFY", []string{"ML_DSA_SHAKE_256"}, nil, nil},
		{"ML_DSA_87", "SIGN_VERIFY", []string{"ML_DSA_SHAKE_256"}, nil, nil},
		{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", nil, []string{"SYMMETRIC_DEFAULT"}, nil},
		{"HMAC_256", "GENERATE_VERIFY_MAC", nil, nil, nil},
		{"SM2", "SIGN_VERIFY", nil, nil, nil},
		{"SM2", "KEY_AGREEMENT", nil, nil, nil},
		{"BOGUS", "SIGN_VERIFY", nil, nil, nil},
	}
	for _, tc := range tests {
		if got := SigningAlgorithms(tc.spec, tc.usage); !slices.Equal(got, tc.sign) {
			t.Errorf("SigningAlgorithms(%s, %s) = %v, want %v", tc.spec, tc.usage, got, tc.sign)
		}
		if got := EncryptionAlgorithms(tc.spec, tc.usage); !slices.Equal(got, tc.enc) {
			t.Errorf("EncryptionAlgorithms(%s, %s) = %v, want %v", tc.spec, tc.usage, got, tc.enc)
		}
		if got := KeyAgreementAlgorithms(tc.spec, tc.usage); !slices.Equal(got, tc.agree) {
			t.Errorf("KeyAgreementAlgorithms(%s, %s) = %v, want %v", tc.spec, tc.usage, got, tc.agree)
		}
	}
	// Callers may modify the returned slices.
	SigningAlgorithms("RSA_2048", "SIGN_VERIFY")[0] = "X"
	if SigningAlgorithms("RSA_2048", "SIGN_VERIFY")[0] == "X" {
		t.Fatal("SigningAlgorithms returns a shared slice")
	}
}

// TestEveryListedAlgorithmIsKnown ties the lists to the algorithm table.
func TestEveryListedAlgorithmIsKnown(t *testing.T) {
	for _, spec := range allSpecs {
		for _, usage := range []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "KEY_AGREEMENT"} {
			for _, list := range [][]string{SigningAlgorithms(spec, usage), EncryptionAlgorithms(spec, usage), KeyAgreementAlgorithms(spec, usage)} {
				for _, alg := range list {
					if _, ok := algorithms[alg]; !ok {
						t.Errorf("%s/%s lists unknown algorithm %s", spec, usage, alg)
					}
				}
			}
		}
	}
}

func TestHMACKeySize(t *testing.T) {
	for spec, want := range map[string]int{"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64, "SYMMETRIC_DEFAULT": 0, "RSA_2048": 0, "": 0} {
		if got := HMACKeySize(spec); got != want {
			t.Errorf("HMACKeySize(%q) = %d, want %d", spec, got, want)
		}
	}
}
