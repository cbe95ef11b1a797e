/**
 * Playbooks in the demo store (called once by src/demo/seed-demo.ts after the demo's cases were worked and
 * followed up): for a few common kinds, the earliest resolved case with an agent's reply becomes a playbook
 * through the real path (createFromCase), with the words a team lead would have written; then it is recorded as
 * applied to the most recent resolved cases of its kind, at the time they were worked, so its track record has numbers.
 */
import { ManualClock } from '../platform/clock.ts';
import type { AppContext } from '../platform/http/context.ts';
import { applyPlaybook, createFromCase, type PlaybookEdit } from './playbooks.service.ts';

const DEMO_STORE = 'demo';
/** Recent resolved cases of the kind each playbook is recorded as applied to. */
const APPLIED_PER_PLAYBOOK = 6;

const curated: Record<string, PlaybookEdit> = {
  delivery_late: {
    title: 'Late parcel: own it, give a date, make it right',
    steps: [
      { title: 'Acknowledge at once', detail: 'The automatic acknowledgement goes out; check the carrier scan before writing.' },
      { title: 'Give a date, not a shrug', detail: 'Tell the customer where the parcel is and when it will arrive, from the tracking.' },
      {
        title: 'Offer the policy remedy',
        detail: 'A discount on the next order for a minor delay; free shipping refund when it is over a week.',
      },
      { title: 'Check it arrived', detail: 'Resolve once the parcel is delivered; the check-in survey follows.' },
    ],
    messages: [
      "Hi {{customer.firstName}}, I'm sorry your parcel is late. I've checked with the carrier: it is on its way and should reach you within two days. I've added a discount to your account for the wait, and I'll keep an eye on it until it arrives.",
    ],
  },
  damaged_item: {
    title: 'Damaged on arrival: replace first, ask later',
    steps: [
      { title: 'Acknowledge at once', detail: 'Apologise; do not ask for the item back.' },
      { title: 'Ask for one photo', detail: 'Only for the carrier claim; never a condition of the replacement.' },
      { title: 'Ship the replacement today', detail: 'Express when the customer mentions a gift or a date.' },
      { title: 'Resolve and follow up', detail: 'Resolve when the replacement is delivered.' },
    ],
    messages: [
      "Hi {{customer.firstName}}, I'm so sorry your order arrived damaged. A replacement leaves our warehouse today, no need to send anything back. If you can, reply with a photo of the damage so we can raise it with the carrier.",
    ],
  },
  wrong_item: {
    title: 'Wrong item: send the right one, keep the wrong one',
    steps: [
      { title: 'Acknowledge at once', detail: 'Confirm what they ordered and what arrived.' },
      { title: 'Send the right item', detail: 'Ship it today; a prepaid label only if the wrong item is expensive.' },
      { title: 'Resolve and follow up', detail: 'Resolve once the right item is delivered.' },
    ],
    messages: [
      'Hi {{customer.firstName}}, sorry for the mix-up: the right item is on its way to you today. Please keep the one you received, or pass it on to a friend.',
    ],
  },
  delivery_lost: {
    title: 'Lost parcel: reship without waiting for the carrier',
    steps: [
      { title: 'Acknowledge at once', detail: 'The carrier marked it lost: no need for the customer to prove anything.' },
      { title: 'Reship or refund, their choice', detail: 'Offer both; reship by express when they choose it.' },
      { title: 'Resolve and follow up', detail: 'Claim with the carrier separately; the customer does not wait on it.' },
    ],
    messages: [
      "Hi {{customer.firstName}}, the carrier has lost your parcel, and I'm sorry. I can send a new one by express today or refund you in full, whichever you prefer. Just reply with your choice.",
    ],
  },
};

export async function seedDemoPlaybooks(ctx: AppContext): Promise<void> {
  const db = ctx.database.db;
  const existing = await db.selectFrom('playbooks').select('id').where('store_id', '=', DEMO_STORE).limit(1).executeTakeFirst();
  if (existing) return;
  const manager = await db
    .selectFrom('users')
    .select('id')
    .where('store_id', '=', DEMO_STORE)
    .where('role', 'in', ['manager', 'admin'])
    .orderBy('created_at')
    .executeTakeFirst();
  const actor = manager ? { type: 'user' as const, id: manager.id } : { type: 'system' as const, id: null };
  for (const [kind, edit] of Object.entries(curated)) {
    const resolved = await db
      .selectFrom('cases')
      .select(['id', 'resolved_at', 'created_at'])
      .where('store_id', '=', DEMO_STORE)
      .where('kind', '=', kind)
      .where('status', 'in', ['resolved', 'closed'])
      .where('resolved_at', 'is not', null)
      .orderBy('resolved_at')
      .orderBy('id')
      .execute();
    const [source, ...later] = resolved;
    if (!source) continue;
    const made = new ManualClock(new Date(Date.parse(source.resolved_at!) + 3_600_000));
    const pb = await createFromCase(db, made, DEMO_STORE, source.id, edit, actor);
    // Used on the most recent resolved cases of the kind (those the check-in surveys reached), when they were worked.
    for (const c of later.reverse().slice(0, APPLIED_PER_PLAYBOOK)) {
      const at = new ManualClock(new Date(Date.parse(c.created_at) + 3_600_000));
      await applyPlaybook(db, at, DEMO_STORE, c.id, pb.id, actor);
    }
  }
}
