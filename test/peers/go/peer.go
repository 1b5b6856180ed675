// A Go crypto/tls peer for sslsock's interop tests (standard library only).
//
// Server: listens on 127.0.0.1, prints {"port":N}, accepts one connection,
// echoes until the client's close_notify, closes with its own, then prints
// the connection's facts as one JSON line.
// Client: connects, sends -bytes bytes, reads as many back, sends
// close_notify, reads to the server's close_notify, prints the facts.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

var versions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}
var versionNames = map[uint16]string{tls.VersionTLS12: "TLSv1.2", tls.VersionTLS13: "TLSv1.3"}
var curves = map[string]tls.CurveID{"X25519": tls.X25519, "P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521}

type facts struct {
	Version     string `json:"version"`
	Suite       string `json:"suite"`
	ALPN        string `json:"alpn"`
	PeerSubject string `json:"peerSubject"`
	Received    int    `json:"received"`
	ReceivedSHA string `json:"receivedSha256"`
	SentSHA     string `json:"sentSha256,omitempty"`
	CloseNotify bool   `json:"closeNotify"`
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go peer:", err)
	os.Exit(1)
}

func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(12345)
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

func main() {
	mode := flag.String("mode", "server", "client or server")
	addr := flag.String("addr", "", "client: host:port to connect to")
	certFile := flag.String("cert", "", "certificate chain (PEM)")
	keyFile := flag.String("key", "", "private key (PEM)")
	caFile := flag.String("ca", "", "CA to verify the peer with")
	clientAuth := flag.Bool("client-auth", false, "server: require and verify a client certificate")
	alpn := flag.String("alpn", "", "comma-separated ALPN protocols")
	minV := flag.String("min", "1.2", "minimum version (1.2 or 1.3)")
	maxV := flag.String("max", "1.3", "maximum version (1.2 or 1.3)")
	curveList := flag.String("curves", "", "comma-separated curves (X25519, P-256, P-384, P-521)")
	suiteList := flag.String("suites", "", "comma-separated TLS 1.2 suites (IANA names)")
	n := flag.Int("bytes", 4096, "client: bytes to send and expect back")
	flag.Parse()

	cfg := &tls.Config{MinVersion: versions[*minV], MaxVersion: versions[*maxV], ServerName: "localhost"}
	if *certFile != "" {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fail(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs, cfg.ClientCAs = pool, pool
	}
	if *clientAuth {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if *alpn != "" {
		cfg.NextProtos = strings.Split(*alpn, ",")
	}
	for _, c := range strings.Split(*curveList, ",") {
		if c != "" {
			cfg.CurvePreferences = append(cfg.CurvePreferences, curves[c])
		}
	}
	for _, s := range strings.Split(*suiteList, ",") {
		for _, cs := range tls.CipherSuites() {
			if cs.Name == s {
				cfg.CipherSuites = append(cfg.CipherSuites, cs.ID)
			}
		}
	}

	var f facts
	var err error
	if *mode == "server" {
		f, err = serve(cfg)
	} else {
		f, err = connect(cfg, *addr, payload(*n))
	}
	if err != nil {
		fail(err)
	}
	out, _ := json.Marshal(f)
	fmt.Println(string(out))
}

func describe(c *tls.Conn, f *facts) {
	st := c.ConnectionState()
	f.Version = versionNames[st.Version]
	f.Suite = tls.CipherSuiteName(st.CipherSuite)
	f.ALPN = st.NegotiatedProtocol
	if len(st.PeerCertificates) > 0 {
		f.PeerSubject = st.PeerCertificates[0].Subject.CommonName
	}
}

func serve(cfg *tls.Config) (facts, error) {
	var f facts
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return f, err
	}
	defer ln.Close()
	fmt.Printf("{\"port\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	raw, err := ln.Accept()
	if err != nil {
		return f, err
	}
	c := tls.Server(raw, cfg)
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return f, err
	}
	describe(c, &f)
	h := sha256.New()
	buf := make([]byte, 64*1024)
	for {
		k, err := c.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			f.Received += k
			if _, werr := c.Write(buf[:k]); werr != nil {
				return f, werr
			}
		}
		if errors.Is(err, io.EOF) {
			// io.EOF: the peer closed (crypto/tls does not tell close_notify from a FIN at a record
			// boundary, so the tests check close_notify on our side).
			f.CloseNotify = true
			break
		}
		if err != nil {
			return f, err
		}
	}
	f.ReceivedSHA = hex.EncodeToString(h.Sum(nil))
	return f, c.Close()
}

func connect(cfg *tls.Config, addr string, data []byte) (facts, error) {
	var f facts
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return f, err
	}
	defer c.Close()
	describe(c, &f)
	sum := sha256.Sum256(data)
	f.SentSHA = hex.EncodeToString(sum[:])
	errc := make(chan error, 1)
	go func() {
		_, werr := c.Write(data)
		errc <- werr
	}()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(c, got); err != nil {
		return f, err
	}
	if err := <-errc; err != nil {
		return f, err
	}
	f.Received = len(got)
	rsum := sha256.Sum256(got)
	f.ReceivedSHA = hex.EncodeToString(rsum[:])
	if err := c.CloseWrite(); err != nil {
		return f, err
	}
	rest, err := io.ReadAll(c)
	if err != nil {
		return f, err
	}
	f.CloseNotify = len(rest) == 0
	return f, nil
}
