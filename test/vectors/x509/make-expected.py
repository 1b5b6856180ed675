#!/usr/bin/env python3
"""Writes <name>.json next to every certificate PEM here: the dict CPython's
ssl._ssl._test_decode_cert() returns (what getpeercert() returns), with
tuples turned into lists and bytes into {"$bytes": hex}. Key order is kept (json preserves dict order).
Also copies the CPython test certificates used as fixtures.
Run from the repository root: python3 test/vectors/x509/make-expected.py
"""
import json, os, shutil, ssl, sys, glob

HERE = os.path.dirname(os.path.abspath(__file__))
CERTDATA = os.path.join(os.path.dirname(ssl.__file__), 'test', 'certdata')
CPYTHON = ['allsans.pem', 'nullbytecert.pem', 'talos-2019-0758.pem', 'keycert3.pem', 'keycert.pem',
           'keycertecc.pem', 'idnsans.pem', 'nokia.pem', 'ssl_cert.pem', 'pycacert.pem', 'nosan.pem',
           'keycert2.pem', 'keycert4.pem', 'selfsigned_pythontestdotnet.pem', 'revocation.crl']

def lists(x):
    # bytes (a BIT STRING name value) have no JSON form: {"$bytes": hex}.
    if isinstance(x, bytes):
        return {'$bytes': x.hex()}
    if isinstance(x, (tuple, list)):
        return [lists(i) for i in x]
    if isinstance(x, dict):
        return {k: lists(v) for k, v in x.items()}
    return x

for name in CPYTHON:
    src = os.path.join(CERTDATA, name)
    if os.path.exists(src):
        shutil.copyfile(src, os.path.join(HERE, 'cpython-' + name))

for pem in sorted(glob.glob(os.path.join(HERE, '*.pem'))):
    d = lists(ssl._ssl._test_decode_cert(pem))
    with open(pem[:-4] + '.json', 'w', encoding='utf-8') as f:
        json.dump(d, f, ensure_ascii=False, indent=1)
        f.write('\n')
print('python', sys.version.split()[0], ssl.OPENSSL_VERSION)
