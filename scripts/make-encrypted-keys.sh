#!/usr/bin/env bash
# Writes testing/fixtures/pki/encrypted-keys/ from testing/fixtures/pki/client-encrypted.pem (made by
# scripts/make-test-pki.sh, which runs this at its end): the same certificate and EC key, with the key
# encrypted by each scheme OpenSSL offers, for tlsCertificateKeyFilePassword (openssl CLI needed; CI is
# not: the output is committed). The password is make-test-pki.sh's ENCRYPTED_KEY_PASSWORD. Nothing here is
# a real key.
#
#   plain.pem                the key, unencrypted (PKCS#8): what every file below decrypts to
#   pbes2-aes128-sha1.pem    PKCS#8 PBES2, PBKDF2 with HMAC-SHA1 (as OpenSSL 1.0 wrote -v2, the PRF left out)
#                            and AES-128-CBC
#   pbes2-aes192-sha512.pem  PBES2, HMAC-SHA512, AES-192-CBC
#   traditional-aes256.pem   OpenSSL's traditional form ("Proc-Type: 4,ENCRYPTED", DEK-Info AES-256-CBC, a
#                            SEC1 "EC PRIVATE KEY" inside)
#   pbes2-des3.pem           PBES2 with DES-EDE3-CBC (OpenSSL 3's `genrsa -des3`)
#   pbes2-des-cbc.pem        PBES2 with single DES-CBC (OpenSSL 3's legacy provider)
#   traditional-des3.pem     the traditional form with DEK-Info DES-EDE3-CBC (OpenSSL 1.x's `genrsa -des3`)
#   pbes2-scrypt.pem         PBES2 with scrypt (`openssl pkcs8 -scrypt`)
#   pbes1-sha1-3des.pem      PKCS#12 PBE, SHA1 and 3-key triple DES (`openssl pkcs8 -v1 PBE-SHA1-3DES`,
#                            OpenSSL 1.0's default for `pkcs8 -topk8`)
#   pbes1-sha1-2des.pem      PKCS#12 PBE, SHA1 and 2-key triple DES (`-v1 PBE-SHA1-2DES`)
#   pbes1-md5-des.pem        PKCS#5 PBES1, MD5 and DES (`-v1 PBE-MD5-DES`, legacy provider)
#   pbes1-sha1-des.pem       PKCS#5 PBES1, SHA1 and DES (`-v1 PBE-SHA1-DES`, legacy provider)
#   pbes1-sha1-rc2-40.pem    PKCS#12 PBE, SHA1 and 40-bit RC2 (`-v1 PBE-SHA1-RC2-40`, legacy provider): a scheme
#                            mongo-auth refuses
#   rsa-plain.pem            an RSA key (2048 bits), unencrypted (PKCS#8), of no certificate
#   rsa-traditional-aes128.pem  that RSA key in the traditional form (PKCS#1 "RSA PRIVATE KEY" inside)
#
# Every file but the two plain keys and the RSA one holds the certificate then the key, as
# tlsCertificateKeyFile expects them.
set -euo pipefail
cd "$(dirname "$0")/.."
pki=testing/fixtures/pki
out=$pki/encrypted-keys
pass="pass:pki-test-password"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

openssl x509 -in "$pki/client-encrypted.pem" -out "$tmp/cert.pem"
openssl pkey -in "$pki/client-encrypted.pem" -passin "$pass" -out "$out/plain.pem"
with_cert() { # output file; the encrypted key on standard input
  cat "$tmp/cert.pem" - >"$out/$1"
}
pkcs8() { openssl pkcs8 -topk8 -in "$out/plain.pem" -passout "$pass" "$@"; }
pkcs8 -v2 aes-128-cbc -v2prf hmacWithSHA1 | with_cert pbes2-aes128-sha1.pem
pkcs8 -v2 aes-192-cbc -v2prf hmacWithSHA512 | with_cert pbes2-aes192-sha512.pem
openssl ec -in "$out/plain.pem" -aes256 -passout "$pass" 2>/dev/null | with_cert traditional-aes256.pem
pkcs8 -v2 des3 | with_cert pbes2-des3.pem
pkcs8 -scrypt | with_cert pbes2-scrypt.pem
pkcs8 -v1 PBE-SHA1-3DES | with_cert pbes1-sha1-3des.pem
# Single DES lives in OpenSSL 3's legacy provider.
legacy=(-provider legacy -provider default)
pkcs8 -v2 des-cbc "${legacy[@]}" | with_cert pbes2-des-cbc.pem
openssl ec -in "$out/plain.pem" -des3 -passout "$pass" 2>/dev/null | with_cert traditional-des3.pem
pkcs8 -v1 PBE-SHA1-2DES | with_cert pbes1-sha1-2des.pem
pkcs8 -v1 PBE-MD5-DES "${legacy[@]}" | with_cert pbes1-md5-des.pem
pkcs8 -v1 PBE-SHA1-DES "${legacy[@]}" | with_cert pbes1-sha1-des.pem
pkcs8 -v1 PBE-SHA1-RC2-40 "${legacy[@]}" | with_cert pbes1-sha1-rc2-40.pem

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/rsa-plain.pem" 2>/dev/null
openssl rsa -in "$out/rsa-plain.pem" -aes128 -traditional -passout "$pass" -out "$out/rsa-traditional-aes128.pem" \
  2>/dev/null

# Each decrypts to the plain key (openssl is the oracle).
for file in pbes2-aes128-sha1 pbes2-aes192-sha512 traditional-aes256 pbes2-des3 pbes2-scrypt pbes1-sha1-3des \
  pbes2-des-cbc traditional-des3 pbes1-sha1-2des pbes1-md5-des pbes1-sha1-des pbes1-sha1-rc2-40; do
  if ! openssl pkey -in "$out/$file.pem" -passin "$pass" "${legacy[@]}" | cmp -s - "$out/plain.pem"; then
    echo "$file.pem does not decrypt to plain.pem" >&2
    exit 1
  fi
done
openssl pkey -in "$out/rsa-traditional-aes128.pem" -passin "$pass" | cmp -s - "$out/rsa-plain.pem"
echo "encrypted keys written to $out"
