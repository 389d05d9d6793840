#!/usr/bin/env bash
# Regenerates the test PKI in testing/fixtures/pki/ for MONGODB-X509 tests (openssl CLI needed; CI is
# not: the output is committed). Every key is a fresh throw-away EC P-256 key made here, valid for
# 20000 days (~55 years) so that the committed files outlive the project. Nothing here is a real key.
#
#   ca.pem                  the test CA (its key is thrown away after signing)
#   server-cert.pem/-key    the reference server: CN=localhost, SAN localhost, 127.0.0.1, ::1
#   client.pem              registered user  CN=client,OU=apps,O=Example,L=City,ST=State,C=US
#   client-unregistered.pem valid certificate whose subject is no user
#   client-escaped.pem      subject with RFC 2253 specials and a multi-valued RDN (see SUBJECT_ESCAPED)
#   client-encrypted.pem    certificate + PKCS#8 key encrypted with ENCRYPTED_KEY_PASSWORD
#   other-ca.pem            a second CA that signed nothing the server trusts
#   client-other-ca.pem     the registered subject, but signed by the other CA
#   wrong-host-ca.pem       a third CA, which signed only:
#   wrong-host-server.pem   a server certificate (and key) for db.example.net only: connecting to 127.0.0.1
#                           with it is a host name mismatch
#   crl-ca.pem              a fourth CA, which signed only:
#   crl-server.pem          a server certificate (and key) for localhost, 127.0.0.1 and ::1, not revoked
#   crl-revoked-server.pem  another such certificate (and key), revoked by crl.pem
#                           (and an intermediate CA, whose certificate is only in:)
#   crl-chain-server.pem    a server certificate the intermediate signed, the intermediate's, and the key
#   crl.pem                 two certificate revocation lists (tlsCRLFile), valid 20000 days: crl-ca's,
#                           revoking crl-revoked-server.pem, then the intermediate's, revoking nothing
#   rsa-ca.pem              a fifth CA, RSA 2048 like most enterprise PKIs, which signed only:
#   client-rsa.pem          a registered subject CN=rsa-client,OU=apps,O=Example,L=City,ST=State,C=US with an
#                           RSA 2048 key in OpenSSL's traditional form (PKCS#1), AES-encrypted with
#                           ENCRYPTED_KEY_PASSWORD
#   encrypted-keys/         client-encrypted.pem's key encrypted by every scheme OpenSSL offers
#                           (scripts/make-encrypted-keys.sh, run at the end)
#   crl-cases/              CAs whose revocation lists OpenSSL reads in ways a byte-for-byte reader would not:
#                           names written otherwise, RSA-PSS and SHA-1 signatures, a CA without cRLSign
#                           (scripts/make-crl-cases-pki.sh, run at the end)
#
# The *.pem client files hold certificate then key, the way tlsCertificateKeyFile expects them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=testing/fixtures/pki
ENCRYPTED_KEY_PASSWORD="pki-test-password"
DAYS=20000
# The subjects as mongod names them (RFC 2253, most specific first); checked below against openssl.
SUBJECT_CLIENT='CN=client,OU=apps,O=Example,L=City,ST=State,C=US'
SUBJECT_UNREGISTERED='CN=unregistered,OU=apps,O=Example,L=City,ST=State,C=US'
SUBJECT_ESCAPED='UID=u42+CN=escaped,OU=Research\; \"Labs\" \<east\>,O=Example\, Inc.,L=\#7 Town,ST=State,C=US'
SUBJECT_ENCRYPTED='CN=encrypted,OU=apps,O=Example,L=City,ST=State,C=US'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

make_ca() { # name, subject
  newkey "$tmp/$1.key"
  openssl req -x509 -new -key "$tmp/$1.key" -subj "$2" -days "$DAYS" -out "$out/$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
}

sign() { # ca name, csr, extensions file, output certificate
  openssl x509 -req -in "$2" -CA "$out/$1.pem" -CAkey "$tmp/$1.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$DAYS" -extfile "$3" -out "$4" 2>/dev/null
}

client() { # ca name, output file, openssl -subj, expected RFC 2253 subject, [password]
  newkey "$tmp/client.key"
  openssl req -new -key "$tmp/client.key" -multivalue-rdn -subj "$3" -out "$tmp/client.csr"
  sign "$1" "$tmp/client.csr" "$tmp/client.ext" "$tmp/client.crt"
  local subject
  subject=$(openssl x509 -in "$tmp/client.crt" -noout -subject -nameopt RFC2253)
  if [ "$subject" != "subject=$4" ]; then
    echo "unexpected subject for $2: $subject" >&2
    exit 1
  fi
  if [ -n "${5:-}" ]; then
    openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$tmp/client.key" -passout "pass:$5" -out "$tmp/client.key.enc"
    mv "$tmp/client.key.enc" "$tmp/client.key"
  fi
  cat "$tmp/client.crt" "$tmp/client.key" >"$out/$2"
}

printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$tmp/client.ext"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$tmp/server.ext"

make_ca ca "/O=mongo-auth tests/CN=mongo-auth test CA"
make_ca other-ca "/O=mongo-auth tests/CN=mongo-auth other CA"

newkey "$out/server-key.pem"
openssl req -new -key "$out/server-key.pem" -subj "/O=mongo-auth tests/CN=localhost" -out "$tmp/server.csr"
sign ca "$tmp/server.csr" "$tmp/server.ext" "$out/server-cert.pem"

client ca client.pem "/C=US/ST=State/L=City/O=Example/OU=apps/CN=client" "$SUBJECT_CLIENT"
client ca client-unregistered.pem "/C=US/ST=State/L=City/O=Example/OU=apps/CN=unregistered" "$SUBJECT_UNREGISTERED"
client ca client-escaped.pem '/C=US/ST=State/L=#7 Town/O=Example, Inc./OU=Research; "Labs" <east>/CN=escaped+UID=u42' \
  "$SUBJECT_ESCAPED"
client ca client-encrypted.pem "/C=US/ST=State/L=City/O=Example/OU=apps/CN=encrypted" "$SUBJECT_ENCRYPTED" \
  "$ENCRYPTED_KEY_PASSWORD"
client other-ca client-other-ca.pem "/C=US/ST=State/L=City/O=Example/OU=apps/CN=client" "$SUBJECT_CLIENT"

make_ca wrong-host-ca "/O=mongo-auth tests/CN=mongo-auth wrong-host CA"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:db.example.net\n' >"$tmp/wrong-host.ext"
newkey "$tmp/wrong-host.key"
openssl req -new -key "$tmp/wrong-host.key" -subj "/O=mongo-auth tests/CN=db.example.net" -out "$tmp/wrong-host.csr"
sign wrong-host-ca "$tmp/wrong-host.csr" "$tmp/wrong-host.ext" "$tmp/wrong-host.crt"
cat "$tmp/wrong-host.crt" "$tmp/wrong-host.key" >"$out/wrong-host-server.pem"

# Revocation (tlsCRLFile): a CA, two server certificates, and the CA's list revoking the second; an
# intermediate CA under it, with a server certificate and a list of its own (OpenSSL wants one per CA).
make_ca crl-ca "/O=mongo-auth tests/CN=mongo-auth CRL CA"
newkey "$tmp/crl-intermediate.key"
openssl req -new -key "$tmp/crl-intermediate.key" -subj "/O=mongo-auth tests/CN=mongo-auth CRL intermediate CA" \
  -out "$tmp/crl-intermediate.csr"
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' \
  >"$tmp/intermediate.ext"
sign crl-ca "$tmp/crl-intermediate.csr" "$tmp/intermediate.ext" "$tmp/crl-intermediate.pem"
server_of() { # ca certificate, ca key, name
  newkey "$tmp/$3.key"
  openssl req -new -key "$tmp/$3.key" -subj "/O=mongo-auth tests/CN=localhost" -out "$tmp/$3.csr"
  openssl x509 -req -in "$tmp/$3.csr" -CA "$1" -CAkey "$2" -set_serial "0x$(openssl rand -hex 16)" \
    -days "$DAYS" -extfile "$tmp/server.ext" -out "$tmp/$3.crt" 2>/dev/null
}
server_of "$out/crl-ca.pem" "$tmp/crl-ca.key" crl-server
server_of "$out/crl-ca.pem" "$tmp/crl-ca.key" crl-revoked-server
server_of "$tmp/crl-intermediate.pem" "$tmp/crl-intermediate.key" crl-chain-server
cat "$tmp/crl-server.crt" "$tmp/crl-server.key" >"$out/crl-server.pem"
cat "$tmp/crl-revoked-server.crt" "$tmp/crl-revoked-server.key" >"$out/crl-revoked-server.pem"
cat "$tmp/crl-chain-server.crt" "$tmp/crl-intermediate.pem" "$tmp/crl-chain-server.key" >"$out/crl-chain-server.pem"
crl_of() { # ca certificate, ca key, output list, [certificate to revoke]
  local db="$tmp/db-$(basename "$3")"
  mkdir -p "$db"
  : >"$db/index.txt"
  echo 1000 >"$db/crlnumber"
  printf '[ca]\ndefault_ca = crl\n[crl]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = %s\n' \
    "$db/index.txt" "$db/crlnumber" "$DAYS" >"$db/ca.cnf"
  if [ -n "${4:-}" ]; then
    openssl ca -config "$db/ca.cnf" -keyfile "$2" -cert "$1" -revoke "$4" 2>/dev/null
  fi
  openssl ca -config "$db/ca.cnf" -keyfile "$2" -cert "$1" -gencrl -out "$3" 2>/dev/null
}
crl_of "$out/crl-ca.pem" "$tmp/crl-ca.key" "$tmp/root.crl" "$tmp/crl-revoked-server.crt"
crl_of "$tmp/crl-intermediate.pem" "$tmp/crl-intermediate.key" "$tmp/intermediate.crl"
cat "$tmp/root.crl" "$tmp/intermediate.crl" >"$out/crl.pem"
check_crl() { # expected outcome (ok/revoked), certificate, [intermediate]
  local args=(-crl_check_all -CAfile "$out/crl-ca.pem" -CRLfile "$out/crl.pem")
  [ -n "${3:-}" ] && args+=(-untrusted "$3")
  if openssl verify "${args[@]}" "$2" >/dev/null 2>&1; then got=ok; else got=revoked; fi
  if [ "$got" != "$1" ]; then
    echo "crl.pem: $2 is $got, expected $1" >&2
    exit 1
  fi
}
check_crl ok "$tmp/crl-server.crt"
check_crl revoked "$tmp/crl-revoked-server.crt"
check_crl ok "$tmp/crl-chain-server.crt" "$tmp/crl-intermediate.pem"

# RSA: a CA and a client whose key is PKCS#1 in the traditional form, encrypted (what `openssl genrsa -aes256`
# wrote before OpenSSL 3).
rsa_section() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa-ca.key" 2>/dev/null
  openssl req -x509 -new -key "$tmp/rsa-ca.key" -subj "/O=mongo-auth tests/CN=mongo-auth RSA CA" -days "$DAYS" \
    -out "$out/rsa-ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/rsa-client.key" 2>/dev/null
  openssl req -new -key "$tmp/rsa-client.key" -subj "/C=US/ST=State/L=City/O=Example/OU=apps/CN=rsa-client" \
    -out "$tmp/rsa-client.csr"
  openssl x509 -req -in "$tmp/rsa-client.csr" -CA "$out/rsa-ca.pem" -CAkey "$tmp/rsa-ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$DAYS" -extfile "$tmp/client.ext" -out "$tmp/rsa-client.crt" \
    2>/dev/null
  openssl rsa -in "$tmp/rsa-client.key" -aes256 -traditional -passout "pass:$ENCRYPTED_KEY_PASSWORD" \
    -out "$tmp/rsa-client.enc" 2>/dev/null
  cat "$tmp/rsa-client.crt" "$tmp/rsa-client.enc" >"$out/client-rsa.pem"
  openssl verify -CAfile "$out/rsa-ca.pem" "$tmp/rsa-client.crt" >/dev/null
}
rsa_section

openssl verify -CAfile "$out/ca.pem" "$out/server-cert.pem" "$out/client.pem" >/dev/null
openssl verify -CAfile "$out/wrong-host-ca.pem" "$out/wrong-host-server.pem" >/dev/null
echo "test PKI written to $out"
bash scripts/make-encrypted-keys.sh
bash scripts/make-crl-cases-pki.sh
