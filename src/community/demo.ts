/**
 * The demo store's community: a handful of realistic questions and answers written over the last weeks, through
 * the same service functions as the pages (so scores, reputation, badges and topics are what they would be),
 * with a staff member (the demo console's agent), accepted answers, tags, one unanswered question, and one spam
 * answer reported and waiting in the moderation queue. Runs once: a demo store with members is left as it is.
 */
import { ManualClock } from '../platform/clock.ts';
import type { AppContext } from '../platform/http/context.ts';
import { newId } from '../platform/ids.ts';
import { createLink } from '../public/signed-links.ts';
import { awardBadge, loadMember, type Member } from './members.ts';
import { acceptAnswer, createAnswer, createQuestion, IpPostLimiter, reportPost, vote } from './posts.ts';

const people = [
  { key: 'june', email: 'june.park@example.com', name: 'June P.' },
  { key: 'omar', email: 'omar.haddad@example.com', name: 'Omar H.' },
  { key: 'lena', email: 'lena.fischer@example.com', name: 'Lena F.' },
  { key: 'ravi', email: 'ravi.kumar@example.com', name: 'Ravi K.' },
  { key: 'carlos', email: 'carlos.mendes@example.com', name: 'Carlos M.' },
  { key: 'spam', email: 'best.deals.4u@example.net', name: 'DealsDealsDeals' },
] as const;

/** The staff member: the demo console's agent (sign in to the console as agent@demo.test). */
const STAFF = { key: 'staff', email: 'agent@demo.test', name: 'Alex from the shop' } as const;

type Key = (typeof people)[number]['key'] | 'staff';

export async function seedCommunityDemo(ctx: AppContext, storeId: string): Promise<{ seeded: boolean }> {
  const db = ctx.database.db;
  const any = await db.selectFrom('community_members').select('id').where('store_id', '=', storeId).limit(1).executeTakeFirst();
  if (any) return { seeded: false };
  const end = ctx.clock.now();
  const clock = new ManualClock(new Date(end.getTime() - 21 * 86_400_000));
  const c: AppContext = { ...ctx, clock };
  const limiter = new IpPostLimiter();
  const hours = (h: number) => clock.advance(h * 3_600_000);

  const members = new Map<Key, Member>();
  const staffUser = await db
    .selectFrom('users')
    .select('id')
    .where('store_id', '=', storeId)
    .where('email', '=', STAFF.email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  for (const p of [...people, ...(staffUser ? [STAFF] : [])]) {
    const id = newId('mbr', clock);
    const customer = await db
      .selectFrom('customers')
      .select('id')
      .where('store_id', '=', storeId)
      .where('email', '=', p.email)
      .executeTakeFirst();
    await db
      .insertInto('community_members')
      .values({
        store_id: storeId,
        id,
        email: p.email,
        display_name: p.name,
        customer_id: customer?.id ?? null,
        user_id: p.key === 'staff' ? staffUser!.id : null,
        reputation: 0,
        banned_at: null,
        created_at: clock.now().toISOString(),
      })
      .execute();
    if (p.key === 'staff') await awardBadge(db, storeId, id, 'staff', clock.now().toISOString());
    members.set(p.key, (await loadMember(db, storeId, id))!);
    hours(1);
  }
  // Without the console's agent (a store set up by hand), a member answers in the staff member's place.
  const m = (k: Key) => members.get(k) ?? members.get('carlos')!;
  let ip = 0;
  const q = async (k: Key, title: string, body: string, tags: string[]) => {
    hours(5);
    return createQuestion(c, limiter, { storeId, member: m(k), title, body, tags, ip: `192.0.2.${++ip}` });
  };
  const a = async (k: Key, questionId: string, body: string) => {
    hours(3);
    return createAnswer(c, limiter, { storeId, member: m(k), questionId, body, ip: `192.0.2.${++ip}` });
  };
  const up = (k: Key, postId: string, value: 1 | -1 = 1) => vote(c, { storeId, member: m(k), postId, value });

  const fresh = await q(
    'june',
    'How long do whole beans stay fresh after opening the bag?',
    'I bought the **Ethiopia Yirgacheffe** (1 kg bag) and drink about two cups a day. How long will it taste good once opened, and is the freezer a good idea?',
    ['coffee', 'storage'],
  );
  const freshStaff = await a(
    'staff',
    fresh.id,
    'Thanks for asking! Whole beans are at their best for about **4 weeks** after opening.\n\n- Keep them in the bag with the valve, pressed flat, or in an airtight tin.\n- Away from light, heat and the spice shelf.\n- Freezing works for a big bag: split it into weekly portions and never refreeze.\n\nOur roast date is printed on the back of every bag.',
  );
  await a('ravi', fresh.id, 'I split 1 kg bags into four jars and freeze three. The last week tastes just like the first.');
  await up('lena', freshStaff.id);
  await up('omar', freshStaff.id);
  await up('june', freshStaff.id);
  await acceptAnswer(c, { storeId, member: m('june'), answerId: freshStaff.id });

  const address = await q(
    'omar',
    'Can I change the delivery address after ordering?',
    'I placed an order an hour ago and realised it goes to my old flat. Is it too late to change the address?',
    ['shipping', 'orders'],
  );
  const addressStaff = await a(
    'staff',
    address.id,
    'If the order has not shipped yet we can change it. Reply to your order confirmation e-mail with the new address, or use the chat on our site, and we will update it the same day. Once it has a tracking number we can still ask the carrier to redirect it.',
  );
  await up('omar', addressStaff.id);
  await acceptAnswer(c, { storeId, member: m('omar'), answerId: addressStaff.id });

  const gyokuro = await q(
    'lena',
    'What water temperature for gyokuro?',
    'My gyokuro tastes bitter. I use water straight from the kettle. What temperature and steeping time do you recommend?',
    ['tea', 'brewing'],
  );
  const gyokuroRavi = await a(
    'ravi',
    gyokuro.id,
    'Boiling water is the culprit. Gyokuro likes it cool: **50–60 °C**, 5 g of leaves in 60 ml, for about **2 minutes**. The second steep can be shorter and a little warmer. Let the kettle stand with the lid off for 5–6 minutes if you have no thermometer.',
  );
  const gyokuroJune = await a('june', gyokuro.id, 'I use 70 °C for one minute. Less sweet than Ravi’s way but faster.');
  await up('lena', gyokuroRavi.id);
  await up('june', gyokuroRavi.id);
  await up('omar', gyokuroRavi.id);
  await up('lena', gyokuroJune.id);
  await up('carlos', gyokuro.id);
  await acceptAnswer(c, { storeId, member: m('lena'), answerId: gyokuroRavi.id });

  const decaf = await q(
    'ravi',
    'How is the Colombia decaf decaffeinated?',
    'Is it a chemical process? I would like to know before I order the decaf for my mother.',
    ['coffee', 'decaf'],
  );
  await a('june', decaf.id, 'The product page says Swiss Water Process, so no solvents. It is the one decaf I enjoy.');
  await up('lena', decaf.id);

  await q(
    'carlos',
    'My parcel has not moved for five days',
    'The tracking for my subscription box has said “in transit” since Monday. Is anyone else seeing late deliveries this week?',
    ['shipping', 'delivery'],
  );

  // Spam, reported by a member: waiting in the console's Community queue.
  const spam = await a(
    'spam',
    decaf.id,
    'Best prices on coffee machines!!! Visit https://deals.example.net and https://deals.example.net/offer for 90% off today only',
  );
  await reportPost(c, { storeId, member: m('june'), postId: spam.id, reason: 'spam', note: 'advertising links' });
  return { seeded: true };
}

/**
 * A sign-in link for the demo (whose store has no SMTP, so links cannot be mailed): `serve --demo` may print it.
 * Signs in as a demo member (June by default); works once, for 12 hours.
 */
export async function communityDemoSignInUrl(
  ctx: AppContext,
  storeId: string,
  baseUrl: string,
  email = 'june.park@example.com',
): Promise<string> {
  const { token } = await createLink(
    ctx.database.db,
    { storeId, purpose: 'community', subjectType: 'email', subjectId: email, ttlMs: 12 * 3_600_000 },
    ctx.clock.now(),
  );
  return `${baseUrl.replace(/\/+$/, '')}/community/${encodeURIComponent(storeId)}/sign-in/${token}`;
}
