/**
 * The address customers reach this server at, for links put in e-mails and feeds: `AMENDS_PUBLIC_URL`, else the
 * configured host and port. Never the request's Host header — anyone can send a request with `Host: evil.example`
 * and would otherwise receive a store's genuine e-mail carrying a sign-in link to their own server.
 */
import type { Config } from '../platform/config.ts';

export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}
