/**
 * Every request the simulator served, and the sockets that carried them: tests assert on what a
 * client actually sent and whether it let go of its connections.
 */
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultKind } from './faults.js';

/** One request as the simulator saw and answered it. */
export interface RequestRecord {
  id: number;
  method: string;
  /** The path with its query string. */
  path: string;
  source: string | null;
  target: 'api' | 'media' | 'control';
  fault: FaultKind | null;
  /** Null while (or if) response headers were never sent. */
  status: number | null;
  /** Request headers as received, names in lower case. */
  headers: Record<string, string>;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms when the socket that carried the request closed (shared by every request on a keep-alive socket). */
  closedAt: number | null;
  /** Body bytes written so far. */
  bytesSent: number;
}

/** The request records and the open sockets of one simulator. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];
  private readonly bySocket = new Map<Socket, RequestRecord[]>();
  private readonly closed = new EventEmitter().setMaxListeners(0);

  /** Starts tracking a socket; its 'close' stamps every request it carried. */
  track(socket: Socket): void {
    this.bySocket.set(socket, []);
    socket.once('close', () => {
      const now = Date.now();
      for (const record of this.bySocket.get(socket) ?? []) record.closedAt = now;
      this.bySocket.delete(socket);
      this.closed.emit('closed');
    });
  }

  /** Records a new request; the returned record is live (the server fills in status, fault, bytes). */
  open(req: IncomingMessage, classified: Pick<RequestRecord, 'source' | 'target'>): RequestRecord {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const record: RequestRecord = {
      id: this.records.length + 1,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      ...classified,
      fault: null,
      status: null,
      headers,
      startedAt: Date.now(),
      closedAt: null,
      bytesSent: 0,
    };
    this.records.push(record);
    const onSocket = this.bySocket.get(req.socket);
    if (onSocket) onSocket.push(record);
    else record.closedAt = Date.now(); // its socket closed before the request was handled
    return record;
  }

  /** Copies of every record so far, in arrival order. */
  all(): RequestRecord[] {
    return this.records.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  /** Sockets open right now. */
  openSockets(): number {
    return this.bySocket.size;
  }

  /** Every socket being tracked, for shutdown. */
  sockets(): Socket[] {
    return [...this.bySocket.keys()];
  }

  /** Resolves once no tracked socket is left open. */
  async allClosed(): Promise<void> {
    while (this.bySocket.size > 0) await once(this.closed, 'closed');
  }

  /**
   * Resolves once every request matching `pred` has its socket closed (at once when none match);
   * rejects after `timeoutMs`, naming the requests still open.
   */
  waitForClosed(pred: (r: RequestRecord) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const stillOpen = (): RequestRecord[] => this.all().filter((r) => pred(r) && r.closedAt === null);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.closed.off('closed', check);
        if (error) reject(error);
        else resolve();
      };
      const check = (): void => {
        if (stillOpen().length === 0) finish();
      };
      const timer = setTimeout(() => {
        const open = stillOpen().map((r) => `#${r.id} ${r.method} ${r.path}`);
        finish(new Error(`sockets still open after ${timeoutMs} ms for: ${open.join('; ')}`));
      }, timeoutMs);
      this.closed.on('closed', check);
      check();
    });
  }
}
