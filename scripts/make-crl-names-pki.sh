#!/usr/bin/env bash
# Writes testing/fixtures/pki/crl-names/ (openssl CLI needed; CI is not: the output is committed), run at the
# end of scripts/make-test-pki.sh: a CA whose revocation list writes the CA's name otherwise than its
# certificate does — the same name to OpenSSL, which compares names in a canonical form (string types, ASCII
# case and runs of white space do not count). Fresh throw-away EC P-256 keys, valid 20000 days.
#
#   ca.pem               the CA, subject O=mongo-auth tests, CN=mongo-auth CRL names CA (UTF8Strings)
#   server.pem           a server certificate (and key) for localhost, 127.0.0.1 and ::1, not revoked
#   revoked-server.pem   another such certificate (and key), revoked by crl.pem
#   crl.pem              the CA's list, signed with its key, its issuer written O=MONGO-AUTH  TESTS,
#                        CN=Mongo-Auth CRL Names CA (PrintableStrings, other case, two spaces)
set -euo pipefail
cd "$(dirname "$0")/.."
out=testing/fixtures/pki/crl-names
DAYS=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/ca.key" 2>/dev/null
ca_certificate() { # string mask, subject, output
  printf '[req]\ndistinguished_name = dn\nstring_mask = %s\n[dn]\n' "$1" >"$tmp/req.cnf"
  openssl req -x509 -new -config "$tmp/req.cnf" -key "$tmp/ca.key" -subj "$2" -days "$DAYS" -out "$3" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
}
ca_certificate utf8only "/O=mongo-auth tests/CN=mongo-auth CRL names CA" "$out/ca.pem"
# The same key under the name as the list writes it: `openssl ca` copies the issuer of a list from -cert.
ca_certificate default "/O=MONGO-AUTH  TESTS/CN=Mongo-Auth CRL Names CA" "$tmp/ca-as-the-list-names-it.pem"

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
openssl ca -config "$tmp/ca.cnf" -keyfile "$tmp/ca.key" -cert "$tmp/ca-as-the-list-names-it.pem" \
  -revoke "$tmp/revoked-server.crt" 2>/dev/null
openssl ca -config "$tmp/ca.cnf" -keyfile "$tmp/ca.key" -cert "$tmp/ca-as-the-list-names-it.pem" -gencrl \
  -out "$out/crl.pem" 2>/dev/null

# The names differ byte for byte, and OpenSSL takes the list for the CA's.
if [ "$(openssl x509 -in "$out/ca.pem" -noout -subject -nameopt RFC2253)" = \
  "$(openssl crl -in "$out/crl.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer/subject/')" ]; then
  echo "crl-names: the list's issuer is written as the CA's subject is" >&2
  exit 1
fi
openssl verify -crl_check -CAfile "$out/ca.pem" -CRLfile "$out/crl.pem" "$tmp/server.crt" >/dev/null
if openssl verify -crl_check -CAfile "$out/ca.pem" -CRLfile "$out/crl.pem" "$tmp/revoked-server.crt" \
  >/dev/null 2>&1; then
  echo "crl-names: revoked-server.pem passes the list" >&2
  exit 1
fi
echo "CRL names PKI written to $out"
