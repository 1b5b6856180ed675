// A Java JSSE peer for sslsock's interop tests (JDK 17, no dependencies).
//
// Server: listens on 127.0.0.1, prints {"port":N}, accepts one connection,
// echoes until the client's close_notify, closes with its own, prints the
// connection's facts as one JSON line. Client: connects, sends --bytes bytes,
// reads as many back, sends close_notify, reads to the server's, prints facts.
// Groups are chosen with -Djdk.tls.namedGroups (JDK 17 has no API for them).

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class Peer {
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = null;
    if (a.containsKey("cert")) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      List<Certificate> chain = readCerts(a.get("cert"));
      ks.setKeyEntry("me", readKey(a.get("key")), new char[0], chain.toArray(new Certificate[0]));
      kmf = KeyManagerFactory.getInstance("SunX509");
      kmf.init(ks, new char[0]);
    }
    TrustManagerFactory tmf = null;
    if (a.containsKey("ca")) {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      int n = 0;
      for (Certificate c : readCerts(a.get("ca"))) ts.setCertificateEntry("ca" + n++, c);
      tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ts);
    }
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), new SecureRandom());

    SSLParameters p = ctx.getDefaultSSLParameters();
    if (a.containsKey("protocols")) p.setProtocols(a.get("protocols").split(","));
    if (a.containsKey("suites")) p.setCipherSuites(a.get("suites").split(","));
    if (a.containsKey("alpn")) p.setApplicationProtocols(a.get("alpn").split(","));
    if ("true".equals(a.get("client-auth"))) p.setNeedClientAuth(true);

    String facts;
    if ("server".equals(a.get("mode"))) {
      try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        ss.setSSLParameters(p);
        System.out.println("{\"port\":" + ss.getLocalPort() + "}");
        System.out.flush();
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          facts = serve(s);
        }
      }
    } else {
      p.setServerNames(List.of(new SNIHostName("localhost")));
      p.setEndpointIdentificationAlgorithm("HTTPS");
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(a.get("port")))) {
        s.setSSLParameters(p);
        facts = connect(s, payload(Integer.parseInt(a.getOrDefault("bytes", "4096"))));
      }
    }
    System.out.println(facts);
  }

  static String serve(SSLSocket s) throws Exception {
    s.startHandshake();
    MessageDigest h = MessageDigest.getInstance("SHA-256");
    InputStream in = s.getInputStream();
    OutputStream out = s.getOutputStream();
    byte[] buf = new byte[64 * 1024];
    long received = 0;
    for (int k; (k = in.read(buf)) != -1; ) {
      h.update(buf, 0, k);
      received += k;
      out.write(buf, 0, k);
      out.flush();
    }
    String f = describe(s, received, HexFormat.of().formatHex(h.digest()), null);
    s.close();
    return f;
  }

  static String connect(SSLSocket s, byte[] data) throws Exception {
    s.startHandshake();
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    Thread writer = new Thread(() -> {
      try {
        out.write(data);
        out.flush();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    byte[] got = in.readNBytes(data.length);
    writer.join();
    s.shutdownOutput(); // close_notify
    int rest = in.readAllBytes().length;
    String sent = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String f = describe(s, got.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(got)), sent);
    return f.substring(0, f.length() - 1) + ",\"restAfterEcho\":" + rest + "}";
  }

  static String describe(SSLSocket s, long received, String receivedSha, String sentSha) throws Exception {
    var session = s.getSession();
    String subject = "";
    try {
      X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
      subject = peer.getSubjectX500Principal().getName();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      // no peer certificate (a server without client auth)
    }
    String alpn = s.getApplicationProtocol();
    return "{\"version\":" + q(session.getProtocol()) + ",\"suite\":" + q(session.getCipherSuite())
        + ",\"alpn\":" + q(alpn == null ? "" : alpn) + ",\"peerSubject\":" + q(subject)
        + ",\"received\":" + received + ",\"receivedSha256\":" + q(receivedSha)
        + (sentSha == null ? "" : ",\"sentSha256\":" + q(sentSha)) + "}";
  }

  /** A JSON string literal. */
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static byte[] payload(int n) {
    byte[] b = new byte[n];
    int x = 12345;
    for (int i = 0; i < n; i++) {
      x = x * 1103515245 + 12345;
      b[i] = (byte) (x >>> 16);
    }
    return b;
  }

  static List<Certificate> readCerts(String file) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    return new ArrayList<>(cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(file)))));
  }

  static PrivateKey readKey(String file) throws Exception {
    String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
    if (!pem.contains("BEGIN PRIVATE KEY")) throw new IllegalArgumentException(file + ": expected an unencrypted PKCS#8 key");
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (Exception e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException(file + ": unsupported key");
  }
}
