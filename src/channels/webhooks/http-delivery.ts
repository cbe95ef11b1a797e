/**
 * One HTTP POST of a delivery (webhooks, Slack) and what its answer means for
 * the outbox: 2xx delivered; 4xx the receiver refused it for good (except
 * 408, 409, 425 and 429, which say "later"); 3xx (redirects are not
 * followed: register the final URL), 5xx, timeouts and network errors are
 * retried with backoff.
 */
import { DeliveryError } from '../outbox.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of an answer is kept on the delivery (its `providerRef`). */
const KEPT_ANSWER_CHARS = 200;
/** How much of an answer is read at all: a receiver's error page can be large. */
const READ_LIMIT_BYTES = 4096;

const retryable4xx = new Set([408, 409, 425, 429]);

/** Whether an HTTP answer with this status should be retried (false: delivered or refused for good). */
export function isRetryableStatus(status: number): boolean {
  if (status >= 200 && status < 300) return false;
  if (status >= 400 && status < 500) return retryable4xx.has(status);
  return true;
}

export interface HttpAnswer {
  status: number;
  /** The status and the start of the body, for the delivery log. */
  ref: string;
}

/**
 * POSTs `body` and returns the 2xx answer; throws `DeliveryError` (with the
 * status code, `permanent` per `isRetryableStatus`) for anything else.
 */
export async function postDelivery(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new DeliveryError(describeFetchError(err, url, timeoutMs), { cause: err });
  }
  let text: string;
  try {
    text = await readStart(res, timeoutMs);
  } catch {
    text = '';
  }
  const ref = `${res.status}${text ? ` ${oneLine(text).slice(0, KEPT_ANSWER_CHARS)}` : ''}`;
  if (res.status >= 200 && res.status < 300) return { status: res.status, ref };
  const why =
    res.status >= 300 && res.status < 400
      ? `answered ${res.status} (redirects are not followed; register the final URL)`
      : `answered ${ref}`;
  throw new DeliveryError(why, { statusCode: res.status, permanent: !isRetryableStatus(res.status) });
}

/** The first few KB of the answer's body as text; the rest is not read. */
async function readStart(res: Response, timeoutMs: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), timeoutMs);
  try {
    while (size < READ_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, READ_LIMIT_BYTES).toString('utf8');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function describeFetchError(err: unknown, url: string, timeoutMs: number): string {
  const origin = safeOrigin(url);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer from ${origin} within ${timeoutMs / 1000} s`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  return `could not reach ${origin}: ${detail}`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the receiver';
  }
}
