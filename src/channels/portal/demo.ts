/**
 * The portal in the demo store (`npm start`): the demo's customers already have orders, shipments and cases, so
 * nothing needs seeding; the serve banner can print a ready sign-in link for one of them (the demo store has no
 * SMTP, so the link could not be mailed).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { portalLinkFor } from './portal.service.ts';

/**
 * A fresh sign-in path (`/help/<store>/link/<token>`, single use, 30 minutes) for the demo customer with the most
 * recent order that has an e-mail; null when the store has no such customer. Prefix it with the server's URL.
 */
export async function demoPortalLink(db: Kysely<DB>, storeId: string, now: Date): Promise<string | null> {
  const row = await db
    .selectFrom('orders')
    .innerJoin('customers', (j) => j.onRef('customers.store_id', '=', 'orders.store_id').onRef('customers.id', '=', 'orders.customer_id'))
    .select(['customers.id'])
    .where('orders.store_id', '=', storeId)
    .where('customers.email', 'is not', null)
    .orderBy('orders.placed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? portalLinkFor(db, storeId, row.id, now) : null;
}
