import type { ServerResponse } from 'node:http';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * One HTTP exchange's answer. It starts as a plain JSON response; the first message sent before the
 * final one (progress, a log line, a request to the client) upgrades it to an SSE stream, as the
 * Streamable HTTP transport allows. Listen-style exchanges open the stream at once and stay open.
 */
export class ResponseChannel {
  readonly #res: ServerResponse;
  readonly #headers: Record<string, string>;
  #streaming = false;
  #ended = false;
  #completed = false;
  #keepAlive: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, headers: Record<string, string> = {}) {
    this.#res = res;
    this.#headers = headers;
    res.once('close', () => this.#cleanup());
  }

  /** Runs `listener` once when the exchange ends, however it ends. */
  onClose(listener: () => void): void {
    if (!this.open) listener();
    else this.#res.once('close', listener);
  }

  /** True once this side finished the exchange (finish or close), as opposed to the client leaving. */
  get completed(): boolean {
    return this.#completed;
  }

  get streaming(): boolean {
    return this.#streaming;
  }

  /** False once the response is finished or the client went away. */
  get open(): boolean {
    return !this.#ended && !this.#res.destroyed;
  }

  /** Opens the SSE stream now (idempotent), with a comment frame every `keepAliveMs`. */
  startStream(keepAliveMs = 15_000): void {
    if (this.#streaming || !this.open) return;
    this.#streaming = true;
    this.#res.writeHead(200, { ...SSE_HEADERS, ...this.#headers });
    this.#res.flushHeaders();
    if (keepAliveMs > 0) {
      this.#keepAlive = setInterval(() => {
        if (this.open) this.#res.write(': keep-alive\n\n');
      }, keepAliveMs);
      this.#keepAlive.unref();
    }
  }

  /** A message ahead of the final answer (notification or server-to-client request). */
  send(message: unknown): void {
    if (!this.open) return;
    this.startStream();
    this.#res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** The final JSON-RPC message (already serialised): a JSON body, or the stream's last event. */
  finish(body: string, status = 200): void {
    if (!this.open) return;
    this.#ended = true;
    this.#completed = true;
    if (this.#streaming) {
      this.#res.end(`event: message\ndata: ${body}\n\n`);
    } else {
      this.#res.writeHead(status, { 'content-type': 'application/json', ...this.#headers });
      this.#res.end(body);
    }
    this.#cleanup();
  }

  /** Ends without a final message (a cancelled request, or a listen stream being torn down). */
  close(): void {
    if (!this.open) return;
    this.#ended = true;
    this.#completed = true;
    if (this.#streaming) this.#res.end();
    else {
      this.#res.writeHead(204, this.#headers);
      this.#res.end();
    }
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#ended = true;
  }
}
