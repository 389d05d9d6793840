#!/usr/bin/env bash
# Writes testing/fixtures/pki/crl-cases/ (openssl CLI needed; CI is not: the output is committed), run at the end
# of scripts/make-test-pki.sh: CAs whose revocation lists OpenSSL reads in ways a byte-for-byte reader would
# not, each with two server certificates (localhost, 127.0.0.1, ::1) — server.pem, and revoked-server.pem, which
# the CA's lists revoke — and the CA's certificate ca.pem. Fresh throw-away keys, valid 20000 days.
#
#   names/          crl.pem writes its issuer O=MONGO-AUTH  TESTS, CN=Mongo-Auth CRL Names CA (PrintableStrings,
#                   other case, two spaces) where ca.pem has O=mongo-auth tests, CN=mongo-auth CRL names CA
#                   (UTF8Strings): one name to OpenSSL, which compares names in a canonical form
#   signatures/     an RSA 2048 CA whose lists are signed otherwise than PKCS#1 v1.5 with SHA-256:
#                   pss.crl.pem (RSASSA-PSS, SHA-256, MGF1 with SHA-256, a salt of 32 bytes), sha1.crl.pem
#                   (sha1WithRSAEncryption), pss-sha384-max.crl.pem (RSASSA-PSS, SHA-384, the longest salt:
#                   206 bytes, which OpenSSL accepts and BoringSSL, Bun's, does not)
#   key-usage/      a CA whose keyUsage lacks cRLSign: OpenSSL accepts none of its lists (crl.pem)
#   critical/       a CA whose list (crl.pem) has a critical extension nobody processes (1.2.3.4): OpenSSL
#                   refuses it
set -euo pipefail
cd "$(dirname "$0")/.."
out=testing/fixtures/pki/crl-cases
DAYS=20000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$tmp/server.ext"

ca_certificate() { # case, key algorithm options, string mask, subject, key usage, [output]
  mkdir -p "$out/$1" "$tmp/$1"
  [ -f "$tmp/$1/ca.key" ] || openssl genpkey $2 -out "$tmp/$1/ca.key" 2>/dev/null
  printf '[req]\ndistinguished_name = dn\nstring_mask = %s\n[dn]\n' "$3" >"$tmp/req.cnf"
  openssl req -x509 -new -config "$tmp/req.cnf" -key "$tmp/$1/ca.key" -subj "$4" -days "$DAYS" \
    -out "${6:-$out/$1/ca.pem}" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,$5" \
    -addext "subjectKeyIdentifier=hash"
}
servers() { # case
  for name in server revoked-server; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$1/$name.key" 2>/dev/null
    openssl req -new -key "$tmp/$1/$name.key" -subj "/O=mongo-auth tests/CN=localhost" -out "$tmp/$1/$name.csr"
    openssl x509 -req -in "$tmp/$1/$name.csr" -CA "$out/$1/ca.pem" -CAkey "$tmp/$1/ca.key" \
      -set_serial "0x$(openssl rand -hex 16)" -days "$DAYS" -extfile "$tmp/server.ext" -out "$tmp/$1/$name.crt" \
      2>/dev/null
    cat "$tmp/$1/$name.crt" "$tmp/$1/$name.key" >"$out/$1/$name.pem"
  done
  : >"$tmp/$1/index.txt"
  echo 1000 >"$tmp/$1/crlnumber"
  printf '[ca]\ndefault_ca = crl\n[crl]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = %s\n' \
    "$tmp/$1/index.txt" "$tmp/$1/crlnumber" "$DAYS" >"$tmp/$1/ca.cnf"
}
ca() { # case, list signer's certificate, openssl ca arguments…
  local case=$1 cert=$2
  shift 2
  openssl ca -config "$tmp/$case/ca.cnf" -keyfile "$tmp/$case/ca.key" -cert "$cert" "$@" 2>/dev/null
}
verify() { # case, list, certificate
  openssl verify -crl_check -CAfile "$out/$1/ca.pem" -CRLfile "$out/$1/$2" "$tmp/$1/$3.crt" >/dev/null 2>&1
}
expect_read() { # case, list: OpenSSL passes server.pem and refuses revoked-server.pem
  verify "$1" "$2" server || { echo "crl-cases: $1/$2 refuses server.pem" >&2; exit 1; }
  if verify "$1" "$2" revoked-server; then echo "crl-cases: $1/$2 passes revoked-server.pem" >&2; exit 1; fi
}

# names: the list signed under the CA's key, its issuer copied by `openssl ca` from a certificate of the same key
# that writes the name otherwise.
EC=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
ca_certificate names "${EC[*]}" utf8only "/O=mongo-auth tests/CN=mongo-auth CRL names CA" keyCertSign,cRLSign
ca_certificate names "${EC[*]}" default "/O=MONGO-AUTH  TESTS/CN=Mongo-Auth CRL Names CA" keyCertSign,cRLSign \
  "$tmp/names/ca-as-the-list-names-it.pem"
servers names
ca names "$tmp/names/ca-as-the-list-names-it.pem" -revoke "$tmp/names/revoked-server.crt"
ca names "$tmp/names/ca-as-the-list-names-it.pem" -gencrl -out "$out/names/crl.pem"
if [ "$(openssl x509 -in "$out/names/ca.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" = \
  "$(openssl crl -in "$out/names/crl.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" ]; then
  echo "crl-cases: names/crl.pem writes its issuer as ca.pem writes its subject" >&2
  exit 1
fi
expect_read names crl.pem

# signatures
ca_certificate signatures "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" utf8only \
  "/O=mongo-auth tests/CN=mongo-auth CRL signatures CA" keyCertSign,cRLSign
servers signatures
ca signatures "$out/signatures/ca.pem" -revoke "$tmp/signatures/revoked-server.crt"
ca signatures "$out/signatures/ca.pem" -gencrl -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
  -out "$out/signatures/pss.crl.pem"
ca signatures "$out/signatures/ca.pem" -gencrl -md sha1 -out "$out/signatures/sha1.crl.pem"
ca signatures "$out/signatures/ca.pem" -gencrl -md sha384 -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:max -out "$out/signatures/pss-sha384-max.crl.pem"
for list in pss.crl.pem sha1.crl.pem pss-sha384-max.crl.pem; do expect_read signatures "$list"; done
openssl crl -in "$out/signatures/pss-sha384-max.crl.pem" -noout -text | grep -q "Salt Length: 0xCE" ||
  { echo "crl-cases: signatures/pss-sha384-max.crl.pem's salt is not 206 bytes" >&2; exit 1; }
openssl crl -in "$out/signatures/sha1.crl.pem" -noout -text | grep -q "Signature Algorithm: sha1WithRSAEncryption" ||
  { echo "crl-cases: signatures/sha1.crl.pem is not signed with SHA-1" >&2; exit 1; }

# key-usage
ca_certificate key-usage "${EC[*]}" utf8only "/O=mongo-auth tests/CN=mongo-auth CRL key usage CA" keyCertSign
servers key-usage
ca key-usage "$out/key-usage/ca.pem" -gencrl -out "$out/key-usage/crl.pem"
if verify key-usage crl.pem server; then echo "crl-cases: key-usage/crl.pem is accepted" >&2; exit 1; fi
why=$(openssl verify -crl_check -CAfile "$out/key-usage/ca.pem" -CRLfile "$out/key-usage/crl.pem" \
  "$tmp/key-usage/server.crt" 2>&1 || true)
grep -q "key usage does not include CRL signing" <<<"$why" ||
  { echo "crl-cases: key-usage/crl.pem is refused for another reason: $why" >&2; exit 1; }
rm "$out/key-usage/revoked-server.pem" # no list of this CA counts, so no certificate of it is revoked

# critical
ca_certificate critical "${EC[*]}" utf8only "/O=mongo-auth tests/CN=mongo-auth CRL critical CA" keyCertSign,cRLSign
servers critical
printf 'crl_extensions = critical_extension\n[critical_extension]\n1.2.3.4 = critical,DER:05:00\n' >>"$tmp/critical/ca.cnf"
ca critical "$out/critical/ca.pem" -gencrl -out "$out/critical/crl.pem"
why=$(openssl verify -crl_check -CAfile "$out/critical/ca.pem" -CRLfile "$out/critical/crl.pem" \
  "$tmp/critical/server.crt" 2>&1 || true)
grep -q "unhandled critical CRL extension" <<<"$why" ||
  { echo "crl-cases: critical/crl.pem is not refused for its extension: $why" >&2; exit 1; }
rm "$out/critical/revoked-server.pem"
echo "CRL cases written to $out"
