#!/bin/sh
# Certificates made by OpenSSL itself (key types and signature algorithms the
# CPython set lacks). Run from this directory; then python3 make-expected.py.
set -e
t=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -keyout $t/k1 -subj "/CN=rsa-pss.example" -days 3650 -sha256 \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -addext "subjectAltName=DNS:rsa-pss.example" -out openssl-rsa-pss-sig.pem
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out $t/k2
openssl req -x509 -key $t/k2 -subj "/CN=pss-key.example" -days 3650 -sha384 -out openssl-rsa-pss-key.pem
openssl req -x509 -newkey ed25519 -nodes -keyout $t/k3 -subj "/CN=ed25519.example/O=Ed Org" -days 3650 \
  -addext "subjectAltName=IP:192.0.2.7,IP:2001:db8::7,email:ed@example.org" -out openssl-ed25519.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout $t/k4 -subj "/C=XY/ST=State/CN=p384.example" \
  -days 3650 -sha384 -addext "nameConstraints=critical,permitted;DNS:.example.org,permitted;IP:10.0.0.0/255.0.0.0,excluded;email:bad@example.org" \
  -addext "certificatePolicies=2.23.140.1.2.1,1.2.3.4" -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "basicConstraints=critical,CA:TRUE,pathlen:2" \
  -addext "1.2.3.4.5.6.7=critical,DER:0500" -out openssl-ec-p384.pem
rm -rf $t
