/**
 * What a connection tells its SSLObject while it runs (context-engine.ts's
 * ConnectionLink): one small object per connection, its methods on the
 * prototype, rather than an object of closures.
 */
import type { AnyClientTicket } from '../tls/tickets.js';
import type { ConnectionLink } from './context-engine.js';
import type { SSLContext } from './context.js';
import type { SSLObject } from './sslobject.js';

export class ObjectLink implements ConnectionLink<SSLContext> {
  constructor(
    private readonly obj: SSLObject,
    /** The context the object was created with (its tickets name it). */
    private readonly created: SSLContext,
  ) {}

  get serverSide(): boolean {
    return this.obj.serverSide;
  }

  get serverHostname(): string | null {
    return this.obj.serverHostname;
  }

  get owner(): unknown {
    return this.obj._owner;
  }

  currentContext(): SSLContext {
    return this.obj.context;
  }

  onVerified(chain: readonly Uint8Array[]): void {
    this.obj._setVerifiedChain(chain);
  }

  onTicket(t: AnyClientTicket): void {
    this.obj._onTicket(this.created, t);
  }

}
