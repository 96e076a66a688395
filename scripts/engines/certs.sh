#!/usr/bin/env bash
# Makes the throwaway certificates of a secured engine in DIR (created; existing files are replaced):
#   ca.pem / ca.key              the test CA the engine and the clients trust
#   server.pem / server.key      the engine's certificate, SAN IP:127.0.0.1 and DNS:localhost, signed by
#                                the test CA (serverAuth and clientAuth: Kafka's inter-broker client uses it too)
#   client.pem / client.key      a client certificate signed by the test CA, for mutual TLS
#   other-ca.pem                 an unrelated CA: a client trusting only it must refuse the engine
#   server.p12                   PKCS12 keystore of the server key, certificate and CA, for the JVMs
#   truststore.p12               PKCS12 truststore holding the test CA (checks client certificates)
#   store-password               the password of both stores (random per run)
# Usage: scripts/engines/certs.sh DIR
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

dir="${1:-}"
[ -n "$dir" ] || die "usage: $0 DIR"
command -v openssl >/dev/null || die "openssl not found: install it (apt-get install openssl)"
JAVA="$(find_java17)"
KEYTOOL="$(dirname "$JAVA")/keytool"
[ -x "$KEYTOOL" ] || die "keytool not found next to $JAVA"
mkdir -p "$dir"
cd "$dir"
rm -f ./*.pem ./*.key ./*.p12 ./*.csr ./*.srl store-password

# Certificates outlive any test run by far but not a forgotten directory.
DAYS=30
# RSA 2048 signs in milliseconds and every TLS stack here accepts it.
new_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" -keyout "$1.key" -out "$1.pem" \
    -subj "/O=Kafka Monitor tests/CN=$2" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
}

# Signs a new key's certificate with the test CA; $3 holds the X.509 extensions.
new_leaf() {
  local name="$1" subject="$2" extensions="$3"
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  openssl x509 -req -sha256 -days "$DAYS" -in "$name.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
    -extfile <(printf '%s\n' "$extensions") -out "$name.pem" 2>/dev/null
  rm -f "$name.csr"
}

new_ca ca 'Kafka Monitor test CA'
new_ca other-ca 'Unrelated CA'
rm -f other-ca.key # nothing is ever signed with it: it only has to be a CA the engine's chain does not lead to
new_leaf server '/O=Kafka Monitor tests/CN=localhost' "$(printf '%s\n' \
  'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
  'extendedKeyUsage=serverAuth,clientAuth' 'subjectAltName=IP:127.0.0.1,DNS:localhost')"
new_leaf client '/O=Kafka Monitor tests/CN=kafka-monitor' "$(printf '%s\n' \
  'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=clientAuth')"

password="$(openssl rand -hex 16)"
printf '%s' "$password" >store-password
openssl pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server \
  -out server.p12 -passout "pass:$password"
# keytool marks the CA as a trusted entry, which a JVM truststore needs (openssl's export would not).
"$KEYTOOL" -importcert -noprompt -alias test-ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 \
  -storepass "$password" >/dev/null 2>&1 || die "keytool could not write the truststore in $dir"
chmod 600 ./*.key store-password
openssl verify -CAfile ca.pem server.pem client.pem >/dev/null || die "the certificates in $dir do not verify"
