#!/usr/bin/env bash
# Writes testing/fixtures/pki/crl-signatures/ (openssl CLI needed; CI is not: the output is committed), run at
# the end of scripts/make-test-pki.sh: an RSA CA whose revocation lists are signed the ways OpenSSL accepts
# beside PKCS#1 v1.5 with SHA-256 — RSA-PSS, and SHA-1 as older CAs still sign. Fresh throw-away keys (the
# CA's RSA 2048, the servers' EC P-256), valid 20000 days.
#
#   ca.pem                  the CA
#   server.pem              a server certificate (and key) for localhost, 127.0.0.1 and ::1, not revoked
#   revoked-server.pem      another such certificate (and key), revoked by each list below
#   pss.crl.pem             the CA's list, RSASSA-PSS with SHA-256, MGF1 with SHA-256, a salt of 32 bytes
#   sha1.crl.pem            the CA's list, sha1WithRSAEncryption
#   pss-sha384-max.crl.pem  the CA's list, RSASSA-PSS with SHA-384 and the longest salt (206 bytes), which
#                           OpenSSL accepts and BoringSSL (Bun) does not
set -euo pipefail
cd "$(dirname "$0")/.."
out=testing/fixtures/pki/crl-signatures
DAYS=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/ca.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ca.key" -subj "/O=mongo-auth tests/CN=mongo-auth CRL signatures CA" \
  -days "$DAYS" -out "$out/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash"

printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$tmp/server.ext"
server() { # name
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1.key" 2>/dev/null
  openssl req -new -key "$tmp/$1.key" -subj "/O=mongo-auth tests/CN=localhost" -out "$tmp/$1.csr"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$out/ca.pem" -CAkey "$tmp/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$DAYS" -extfile "$tmp/server.ext" -out "$tmp/$1.crt" 2>/dev/null
  cat "$tmp/$1.crt" "$tmp/$1.key" >"$out/$1.pem"
}
server server
server revoked-server

: >"$tmp/index.txt"
echo 1000 >"$tmp/crlnumber"
printf '[ca]\ndefault_ca = crl\n[crl]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = %s\n' \
  "$tmp/index.txt" "$tmp/crlnumber" "$DAYS" >"$tmp/ca.cnf"
ca() { openssl ca -config "$tmp/ca.cnf" -keyfile "$tmp/ca.key" -cert "$out/ca.pem" "$@" 2>/dev/null; }
ca -revoke "$tmp/revoked-server.crt"
ca -gencrl -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -out "$out/pss.crl.pem"
ca -gencrl -md sha1 -out "$out/sha1.crl.pem"
ca -gencrl -md sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max -out "$out/pss-sha384-max.crl.pem"

check() { # list, expected signature algorithm (openssl's words)
  openssl crl -in "$out/$1" -noout -text | grep -q "Signature Algorithm: $2" ||
    { echo "crl-signatures: $1 is not signed with $2" >&2; exit 1; }
  openssl verify -crl_check -CAfile "$out/ca.pem" -CRLfile "$out/$1" "$tmp/server.crt" >/dev/null
  if openssl verify -crl_check -CAfile "$out/ca.pem" -CRLfile "$out/$1" "$tmp/revoked-server.crt" >/dev/null 2>&1; then
    echo "crl-signatures: revoked-server.pem passes $1" >&2
    exit 1
  fi
}
check pss.crl.pem rsassaPss
check sha1.crl.pem sha1WithRSAEncryption
check pss-sha384-max.crl.pem rsassaPss
openssl crl -in "$out/pss-sha384-max.crl.pem" -noout -text | grep -q "Salt Length: 0xCE" ||
  { echo "crl-signatures: pss-sha384-max.crl.pem's salt is not 206 bytes" >&2; exit 1; }
echo "CRL signatures PKI written to $out"
