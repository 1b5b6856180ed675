/**
 * The handshake failures Python users meet most, provoked for real over
 * loopback with the contract's client and server: the client's exception
 * (class, verify_code, verify_message, str(e)) and what the server's
 * accept() raised when the client's alert arrived.
 */
import * as socket from '../socket/index.js';
import * as ssl from '../ssl/index.js';
import { CA } from '../testing/index.js';
import { errorView, type ErrorView } from './errors.js';
import { DEMO_SOCKET_TIMEOUT_S, clientContext, listen, serverContext } from './demo-loopback.js';

const MS_PER_DAY = 86_400_000;
const EXPIRED_DAYS_AGO = 1;
const EXPIRED_LIFETIME_DAYS = 30;

export type { ErrorView };

export interface FailureCase {
  readonly case: string;
  readonly serverHostname: string;
  /** null when the call unexpectedly succeeded (the demo then says so). */
  readonly client: ErrorView | null;
  readonly server: ErrorView | null;
}

/** One connection attempt: resolves to each side's exception (null where the call succeeded). */
async function attempt(label: string, sctx: ssl.SSLContext, ctx: ssl.SSLContext, serverHostname: string): Promise<FailureCase> {
  const ls = await listen(sctx);
  try {
    const accepted = ls.accept().then(
      ([conn]) => {
        conn.close();
        return null;
      },
      (e: unknown) => errorView(e),
    );
    accepted.catch(() => undefined); // awaited below; a bug thrown there must not first surface as an unhandled rejection
    const raw = await socket.createConnection(['127.0.0.1', ls.getsockname()[1]], DEMO_SOCKET_TIMEOUT_S);
    let client: ErrorView | null = null;
    try {
      const s = (await ctx.wrapSocket(raw, { serverHostname })) as ssl.SSLSocket;
      s.close();
    } catch (e) {
      client = errorView(e);
    } finally {
      raw.close();
    }
    return { case: label, serverHostname, client, server: await accepted };
  } finally {
    ls.close();
  }
}

/** Wrong host name (62), a CA the client does not trust (20), an expired certificate (10). */
export async function runFailures(ca: CA): Promise<FailureCase[]> {
  const good = ca.issueCert('localhost', '127.0.0.1');
  const now = Date.now();
  const expired = ca.issueCert('localhost', {
    notBefore: new Date(now - EXPIRED_LIFETIME_DAYS * MS_PER_DAY),
    notAfter: new Date(now - EXPIRED_DAYS_AGO * MS_PER_DAY),
  });
  const stranger = CA.create({ commonName: 'sslsock demo untrusted CA' });
  const ctx = clientContext(ca);
  return [
    await attempt("wrong host name: server_hostname='example.com'", serverContext(good), ctx, 'example.com'),
    await attempt('untrusted CA: certificate from a CA the client does not trust', serverContext(stranger.issueCert('localhost')), ctx, 'localhost'),
    await attempt(`expired certificate: notAfter ${EXPIRED_DAYS_AGO} day ago`, serverContext(expired), ctx, 'localhost'),
  ];
}
