package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// RFC 4231 §4 test cases (case 5, truncated output, is not an AWS MAC).
var rfc4231 = []struct {
	name, key, data        string
	sha224, sha256, sha384 string
	sha512                 string
}{
	{"1", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", hex.EncodeToString([]byte("Hi There")),
		"896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		"afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
		"87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
	{"2", hex.EncodeToString([]byte("Jefe")), hex.EncodeToString([]byte("what do ya want for nothing?")),
		"a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		"af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
		"164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	{"3", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", hex.EncodeToString(bytes.Repeat([]byte{0xdd}, 50)),
		"7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
		"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
		"88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
		"fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
	{"4", "0102030405060708090a0b0c0d0e0f10111213141516171819", hex.EncodeToString(bytes.Repeat([]byte{0xcd}, 50)),
		"6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
		"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
		"3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
		"b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
	{"6", hex.EncodeToString(bytes.Repeat([]byte{0xaa}, 131)), hex.EncodeToString([]byte("Test Using Larger Than Block-Size Key - Hash Key First")),
		"95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		"4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
		"80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
	{"7", hex.EncodeToString(bytes.Repeat([]byte{0xaa}, 131)), hex.EncodeToString([]byte("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")),
		"3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
		"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
		"6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
		"e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
}

func TestMACRFC4231(t *testing.T) {
	for _, tc := range rfc4231 {
		key, _ := hex.DecodeString(tc.key)
		data, _ := hex.DecodeString(tc.data)
		for alg, wantHex := range map[string]string{
			"HMAC_SHA_224": tc.sha224, "HMAC_SHA_256": tc.sha256,
			"HMAC_SHA_384": tc.sha384, "HMAC_SHA_512": tc.sha512,
		} {
			t.Run(tc.name+"/"+alg, func(t *testing.T) {
				mac, err := MAC(key, alg, data)
				if err != nil {
					t.Fatal(err)
				}
				if got := hex.EncodeToString(mac); got != wantHex {
					t.Fatalf("MAC = %s, want %s", got, wantHex)
				}
				want, _ := hex.DecodeString(wantHex)
				wantErr(t, "VerifyMAC", VerifyMAC(key, alg, data, want), nil)
				for _, i := range []int{0, len(want) / 2, len(want) - 1} {
					wantErr(t, "VerifyMAC flipped", VerifyMAC(key, alg, data, flip(want, i)), ErrInvalidMAC)
				}
				wantErr(t, "VerifyMAC truncated", VerifyMAC(key, alg, data, want[:len(want)-1]), ErrInvalidMAC)
				wantErr(t, "VerifyMAC 16-byte", VerifyMAC(key, alg, data, want[:16]), ErrInvalidMAC)
				wantErr(t, "VerifyMAC empty", VerifyMAC(key, alg, data, nil), ErrInvalidMAC)
				wantErr(t, "VerifyMAC extended", VerifyMAC(key, alg, data, append(want, 0)), ErrInvalidMAC)
				wantErr(t, "VerifyMAC other message", VerifyMAC(key, alg, flip(data, 0), want), ErrInvalidMAC)
				wantErr(t, "VerifyMAC other key", VerifyMAC(flip(key, 0), alg, data, want), ErrInvalidMAC)
			})
		}
	}
}

func TestMACErrors(t *testing.T) {
	for _, alg := range []string{"HMAC_SHA_1", "HMAC_256", "SHA_256", "ECDSA_SHA_256", "", "hmac_sha_256"} {
		if _, err := MAC([]byte("k"), alg, []byte("m")); !errors.Is(err, ErrUnsupported) {
			t.Errorf("MAC(%q): %v, want ErrUnsupported", alg, err)
		}
		wantErr(t, "VerifyMAC "+alg, VerifyMAC([]byte("k"), alg, []byte("m"), nil), ErrUnsupported)
	}
}
