/**
 * The store's replies to a chat, live, as Server-Sent Events. Each open
 * stream polls the database for the case's new chat replies, so a reply
 * written by any serve process (or a worker) reaches every visitor's stream;
 * polling a small indexed range twice a second is cheap and needs no
 * cross-process pub/sub.
 */
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { type ChatMessage, messagePosition, storeRepliesSince } from './chat.service.ts';

export interface StreamOptions {
  /** How often each stream looks for new replies. */
  pollMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
}

/** A reply committed this long after it was stamped would be missed; transactions take milliseconds. */
const LOOKBACK_MS = 60_000;

export class ChatStreams {
  private readonly active = new Set<() => void>();
  private readonly pollMs: number;
  private readonly heartbeatMs: number;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly log: FastifyBaseLogger,
    opts: StreamOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
  }

  get size(): number {
    return this.active.size;
  }

  /**
   * Takes over the reply and streams the case's chat replies after `lastEventId`
   * (all of them when absent or unknown) until the client goes away.
   */
  async open(reply: FastifyReply, s: { storeId: string; caseId: string; lastEventId: string | null }): Promise<void> {
    const after = s.lastEventId ? await messagePosition(this.db, s.storeId, s.caseId, s.lastEventId) : null;
    const headers = { ...reply.getHeaders() } as Record<string, string | number | string[]>;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and friends buffer responses unless told not to.
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');

    /** Sent ids and when they were written; a reply is sent once even when a later poll sees it again. */
    const sent = new Map<string, string>();
    let watermark: string | null = null;
    let stopped = false;
    let pollTimer: NodeJS.Timeout | undefined;
    const isAfter = (m: ChatMessage) => !after || m.at > after.at || (m.at === after.at && m.id > after.id);
    const send = (m: ChatMessage) => {
      res.write(`id: ${m.id}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
      sent.set(m.id, m.at);
      if (watermark === null || m.at > watermark) watermark = m.at;
    };
    const poll = async () => {
      try {
        const since = watermark !== null ? new Date(Date.parse(watermark) - LOOKBACK_MS).toISOString() : (after?.at ?? null);
        const replies = await storeRepliesSince(this.db, s.storeId, s.caseId, since);
        if (stopped) return;
        for (const m of replies) if (!sent.has(m.id) && isAfter(m)) send(m);
        if (since !== null && sent.size > 200) for (const [id, at] of sent) if (at < since) sent.delete(id);
      } catch (err) {
        this.log.warn({ err, caseId: s.caseId }, 'chat stream poll failed');
      }
      if (!stopped) pollTimer = setTimeout(poll, this.pollMs);
    };
    const heartbeat = setInterval(() => res.write(': ping\n\n'), this.heartbeatMs);
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(pollTimer);
      clearInterval(heartbeat);
      this.active.delete(stop);
      if (!res.writableEnded) res.end();
    };
    this.active.add(stop);
    res.on('close', stop);
    await poll();
  }

  /** Ends every open stream (the server is shutting down; clients reconnect elsewhere). */
  closeAll(): void {
    for (const stop of [...this.active]) stop();
  }
}
