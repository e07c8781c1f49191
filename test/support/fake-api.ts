// What every local stand-in for a provider's API shares: an HTTP server on port 0, the requests it
// recorded (in order, announced as they come), a wait for the first request a test expects, and close.
// Each fake (LINE, Graph, Slack, Twilio) reads and answers requests its own way in `handle`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';

export abstract class FakeApi<R> extends EventEmitter {
  readonly requests: R[] = [];
  private server: http.Server | undefined;
  url = '';

  /** Which provider this stands in for, in failure messages. */
  protected abstract readonly provider: string;

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void;

  /** Starts listening on 127.0.0.1 and a free port; `url` is its base. */
  protected async listen(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Keeps a request and tells those waiting for one. */
  protected record(request: R): void {
    this.requests.push(request);
    this.emit('request', request);
  }

  /**
   * Resolves with the first request for which `match` holds, among those recorded from index `after`
   * on or still to come; rejects after `timeoutMs` without one.
   */
  next(match: (r: R) => boolean, after = 0, timeoutMs = 10_000): Promise<R> {
    const seen = this.requests.slice(after).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('request', listener);
        reject(new Error(`no such request reached the fake ${this.provider} in ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (r: R) => {
        if (!match(r)) return;
        clearTimeout(timer);
        this.off('request', listener);
        resolve(r);
      };
      this.on('request', listener);
    });
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
