/**
 * One client socket as a stream of typed messages: reads bytes into the FrontendDecoder, writes
 * BackendMessages through the BackendMessageWriter, upgrades to TLS after an accepted SSLRequest,
 * and applies backpressure both ways. Socket errors and EOF are normal events here (a client may
 * vanish at any moment); they end the message stream quietly.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { SqlError, SqlState } from '../errors.js';
import { BackendMessageWriter } from './backend-encoder.js';
import { FrontendDecoder } from './frontend-decoder.js';
import type { BackendMessage, FrontendMessage } from './messages.js';

/** What the session sees of its connection. */
export interface MessageTransport {
  readonly remoteAddress: string | undefined;
  /** Set once the connection runs over TLS. */
  readonly tls: TlsState | null;
  /** True when TLS may be offered in answer to an SSLRequest. */
  readonly tlsAvailable: boolean;
  /**
   * The next message; null at EOF or once the connection is closed. Rejects with a SqlError for bad
   * input: FATAL means the stream is unusable, ERROR means only that message was bad.
   */
  next(): Promise<FrontendMessage | null>;
  /** Queues a message; nothing reaches the socket before `flush`. */
  send(message: BackendMessage): void;
  /** Bytes queued by `send` and not flushed yet. */
  readonly pendingOutputBytes: number;
  /** Writes queued messages and waits while the socket's buffer is full. */
  flush(): Promise<void>;
  /** After sending an accepting encryptionResponse: runs the TLS handshake on this connection. */
  startTls(): Promise<void>;
  /** Flushes, then ends the connection. */
  close(): Promise<void>;
  readonly closed: boolean;
  /** Called once when the socket is gone (EOF, error, close). */
  onClosed(listener: () => void): void;
}

export interface TlsState {
  /** tls-server-end-point channel binding data, or null when the certificate does not allow it. */
  readonly channelBinding: Buffer | null;
}

export interface TlsSetup {
  readonly secureContext: SecureContext;
  readonly channelBinding: Buffer | null;
}

export interface SocketTransportOptions {
  readonly maxMessageBytes: number;
  readonly tls: TlsSetup | null;
  /** Called for socket-level failures worth a debug line (never for ordinary EOF). */
  readonly onSocketError?: (error: Error) => void;
}

/** Input buffered beyond this pauses the socket until the session catches up (pipelining clients). */
const INPUT_HIGH_WATER_BYTES = 1024 * 1024;
/** How long close() waits for the client to close its side before dropping the socket. */
const CLOSE_LINGER_MS = 5_000;

export class SocketTransport implements MessageTransport {
  private socket: Socket;
  private readonly decoder: FrontendDecoder;
  private readonly writer = new BackendMessageWriter();
  private waiter: { resolve: (m: FrontendMessage | null) => void; reject: (e: unknown) => void } | null = null;
  private ended = false;
  private closedListeners: Array<() => void> = [];
  private tlsState: TlsState | null = null;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(
    socket: Socket,
    private readonly options: SocketTransportOptions,
  ) {
    this.socket = socket;
    this.decoder = new FrontendDecoder({ maxMessageBytes: options.maxMessageBytes });
    this.attach(socket, true);
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get tls(): TlsState | null {
    return this.tlsState;
  }

  get tlsAvailable(): boolean {
    return this.options.tls !== null;
  }

  get closed(): boolean {
    return this.ended;
  }

  get pendingOutputBytes(): number {
    return this.writer.bufferedBytes;
  }

  onClosed(listener: () => void): void {
    if (this.ended) listener();
    else this.closedListeners.push(listener);
  }

  private attach(socket: Socket, reportErrors: boolean): void {
    socket.on('data', this.onData);
    socket.once('end', () => this.markEnded());
    socket.once('close', () => this.markEnded());
    socket.on('error', (error: Error) => {
      if (reportErrors) this.options.onSocketError?.(error);
      this.markEnded();
    });
  }

  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(null);
    }
    const listeners = this.closedListeners;
    this.closedListeners = [];
    for (const listener of listeners) listener();
  }

  private receive(chunk: Buffer): void {
    this.decoder.push(chunk);
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      this.deliver(waiter);
    }
    if (!this.waiter && this.decoder.bufferedBytes > INPUT_HIGH_WATER_BYTES) this.socket.pause();
  }

  /** Resolves the waiter with a decoded message, or re-arms it when more bytes are needed. */
  private deliver(waiter: { resolve: (m: FrontendMessage | null) => void; reject: (e: unknown) => void }): void {
    let message: FrontendMessage | null;
    try {
      message = this.decoder.next();
    } catch (e) {
      waiter.reject(e);
      return;
    }
    if (message) {
      if (this.decoder.bufferedBytes <= INPUT_HIGH_WATER_BYTES && this.socket.isPaused()) this.socket.resume();
      waiter.resolve(message);
    } else if (this.ended) {
      waiter.resolve(null);
    } else {
      this.waiter = waiter;
      // More bytes are needed for this message: read even above the high-water mark (the decoder's
      // size limit bounds it).
      if (this.socket.isPaused()) this.socket.resume();
    }
  }

  next(): Promise<FrontendMessage | null> {
    if (this.waiter) return Promise.reject(new Error('concurrent next() on a transport'));
    return new Promise((resolve, reject) => this.deliver({ resolve, reject }));
  }

  send(message: BackendMessage): void {
    this.writer.write(message);
  }

  async flush(): Promise<void> {
    if (this.writer.bufferedBytes === 0) return;
    const bytes = this.writer.take();
    if (this.ended) return;
    if (this.socket.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  async startTls(): Promise<void> {
    const setup = this.options.tls;
    if (!setup) throw new Error('TLS is not configured');
    await this.flush();
    if (this.decoder.bufferedBytes > 0) {
      // Bytes sent in clear after SSLRequest and before the handshake could be injected by a
      // man in the middle (CVE-2021-23214); PostgreSQL refuses them the same way.
      throw new SqlError(SqlState.protocolViolation, 'received unencrypted data after SSL request', {
        detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
        severity: 'FATAL',
      });
    }
    const plain = this.socket;
    plain.off('data', this.onData);
    const secure = new TLSSocket(plain, { isServer: true, secureContext: setup.secureContext });
    // An 'error' without a listener would crash the process; a failed handshake is the client's problem.
    secure.on('error', (error: Error) => this.options.onSocketError?.(error));
    this.socket = secure;
    await new Promise<void>((resolve) => {
      const finish = (): void => {
        secure.off('secure', finish);
        secure.off('error', finish);
        secure.off('close', finish);
        resolve();
      };
      secure.once('secure', finish);
      secure.on('error', finish);
      secure.once('close', finish);
    });
    this.attach(secure, false);
    if (secure.destroyed) {
      this.markEnded();
      return;
    }
    this.tlsState = { channelBinding: setup.channelBinding };
  }

  async close(): Promise<void> {
    if (this.ended) return;
    await this.flush();
    if (this.ended) return;
    const socket = this.socket;
    // Half-close and keep reading until the client closes too: closing a socket with unread input
    // makes the kernel send RST, which can destroy the last message (a FATAL error) in flight.
    const linger = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
    socket.off('data', this.onData);
    socket.on('data', () => {});
    socket.resume();
    socket.end();
    this.ended = true;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(null);
    }
    const listeners = this.closedListeners;
    this.closedListeners = [];
    for (const listener of listeners) listener();
  }
}
