import path from 'node:path';
import { z } from 'zod';

/** Everything Amends reads from the environment, parsed once at start. */
export interface Config {
  /** A file path (SQLite) or a postgres:// URL. */
  db: string;
  port: number;
  host: string;
  logLevel: string;
  /** Longest an event waits for its group commit before the batch is flushed anyway. */
  groupCommitMaxWaitMs: number;
  /** Most events written in one group-commit transaction. */
  groupCommitMaxEvents: number;
  /** Public base URL used in links the server prints. */
  publicUrl: string | undefined;
  /** When set, GET /metrics needs `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** How often `serve` looks for SLA near-breaches and breaches; 0 turns the sweep off. */
  slaSweepSeconds: number;
  /** How often `serve` issues approved compensations (automatic ones, and retries); 0 turns it off. */
  compensationPollSeconds: number;
  /** `AMENDS_JOBS`: the job queue driver; default embedded on SQLite, pg-boss on PostgreSQL. */
  jobs: 'embedded' | 'pg-boss' | undefined;
  /** `AMENDS_SERVE_JOBS`: whether `serve` also works jobs (always true on SQLite, where only it can). */
  serveJobs: boolean;
  /** How often serve and workers look for outbound messages, webhooks and alerts to deliver; 0 turns sending off. */
  outboxPollMs: number;
  /** Wait before the first retry of a failed delivery; doubles per attempt (at most an hour). */
  outboxRetrySeconds: number;
  /** `serve --smtp-port` / AMENDS_SMTP_PORT: the built-in SMTP receiver's port; off when undefined. */
  smtpPort: number | undefined;
  /** Interface the SMTP receiver listens on (default: HOST). */
  smtpHost: string | undefined;
  /** `AMENDS_COOKIE_SECURE=true`: the session cookie is always `Secure` (behind a TLS proxy); else only over TLS. */
  cookieSecure: boolean;
  /**
   * `AMENDS_TRUST_PROXY`: which proxies in front may say who the client is (X-Forwarded-For/-Proto): `false`
   * (default: none), `true` (any), a number of hops, or a comma-separated list of addresses/CIDRs. Rate limits key
   * on the client address, so behind a proxy this must be set or every visitor shares the proxy's.
   */
  trustProxy: boolean | number | string[];
  /** A console session ends after this long without a request (sliding). */
  sessionIdleMinutes: number;
  /** …and at the latest this long after sign-in, however busy. */
  sessionMaxHours: number;
}

const envSchema = z.object({
  AMENDS_DB: z.string().min(1).default('./data/amends.db'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AMENDS_GROUP_COMMIT_MAX_WAIT_MS: z.coerce.number().min(0).max(1000).default(0),
  AMENDS_GROUP_COMMIT_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000).default(5000),
  AMENDS_PUBLIC_URL: z.string().url().optional(),
  AMENDS_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  AMENDS_SLA_SWEEP_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  AMENDS_COMPENSATION_POLL_SECONDS: z.coerce.number().min(0).max(3600).default(2),
  AMENDS_JOBS: z.enum(['embedded', 'pg-boss']).optional(),
  AMENDS_SERVE_JOBS: z.enum(['true', 'false', '1', '0']).default('true'),
  AMENDS_OUTBOX_POLL_MS: z.coerce.number().int().min(0).max(600_000).default(500),
  AMENDS_OUTBOX_RETRY_SECONDS: z.coerce.number().min(0).max(86_400).default(30),
  AMENDS_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  AMENDS_SMTP_HOST: z.string().min(1).optional(),
  AMENDS_COOKIE_SECURE: z.enum(['true', 'false', '1', '0']).default('false'),
  AMENDS_TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .refine((v) => /^(true|false|\d{1,2}|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/.test(v), {
      message: 'true, false, a number of hops, or a comma-separated list of addresses/CIDRs',
    }),
  AMENDS_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(43_200).default(720),
  AMENDS_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(8_760).default(168),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  return {
    db: e.AMENDS_DB,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    groupCommitMaxWaitMs: e.AMENDS_GROUP_COMMIT_MAX_WAIT_MS,
    groupCommitMaxEvents: e.AMENDS_GROUP_COMMIT_MAX_EVENTS,
    publicUrl: e.AMENDS_PUBLIC_URL,
    metricsToken: e.AMENDS_METRICS_TOKEN,
    slaSweepSeconds: e.AMENDS_SLA_SWEEP_SECONDS,
    compensationPollSeconds: e.AMENDS_COMPENSATION_POLL_SECONDS,
    jobs: e.AMENDS_JOBS,
    serveJobs: e.AMENDS_SERVE_JOBS === 'true' || e.AMENDS_SERVE_JOBS === '1',
    outboxPollMs: e.AMENDS_OUTBOX_POLL_MS,
    outboxRetrySeconds: e.AMENDS_OUTBOX_RETRY_SECONDS,
    smtpPort: e.AMENDS_SMTP_PORT,
    smtpHost: e.AMENDS_SMTP_HOST,
    cookieSecure: e.AMENDS_COOKIE_SECURE === 'true' || e.AMENDS_COOKIE_SECURE === '1',
    trustProxy: parseTrustProxy(e.AMENDS_TRUST_PROXY),
    sessionIdleMinutes: e.AMENDS_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.AMENDS_SESSION_MAX_HOURS,
    ...overrides,
  };
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** A SQLite path resolved against the working directory, for messages. */
export function describeDb(db: string): string {
  if (isPostgresUrl(db)) return db.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return path.resolve(db);
}

function parseTrustProxy(v: string): boolean | number | string[] {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  return v.split(',').map((x) => x.trim());
}
