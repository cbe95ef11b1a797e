import data from './data/bitext-complaints.json' with { type: 'json' };

/**
 * Customer complaint wording for the deterministic demo store: hand-written
 * templates (terse chat, long e-mails, polite, angry, typos, special occasions,
 * repeat failures) mixed with real phrasing from the Bitext sample dataset.
 * Pure: every random choice comes from the rng the caller passes in.
 */

import { type IssueKind, issueKinds } from '../triage/labels.ts';

export type Rng = () => number; // uniform [0,1), supplied by the caller (seeded)

/** The demo writes a complaint of every issue kind (DESIGN.md §4). */
export const complaintKinds = issueKinds;
export type ComplaintKind = IssueKind;

export interface ComplaintContext {
  orderId?: string;
  itemName?: string;
  carrier?: string;
  daysLate?: number;
  customerFirstName?: string;
  amount?: string /* formatted like "$42.10" */;
}

export interface ComplaintText {
  subject: string;
  body: string;
  tone: 'calm' | 'frustrated' | 'angry' | 'anxious' | 'confused';
}

type Tone = ComplaintText['tone'];
type Template = readonly [Tone, string];

/*
 * Slots: {order} "order ord-1001" / "my order", {item} "the gooseneck kettle" / "the item",
 * {carrier}, {days} "3 days" / "several days", {amount}, {orderId} (raw id; templates using it
 * are skipped when there is no id). A capitalised slot ({Order}) capitalises the value.
 */
const bodies: Record<ComplaintKind, readonly Template[]> = {
  delivery_late: [
    ['angry', 'Where is my order?? {Order} was supposed to be here {days} ago. This is RIDICULOUS.'],
    ['calm', "Just checking in on {order}. Tracking hasn't updated in a while and it was due {days} ago. Could you take a look?"],
    [
      'anxious',
      "I ordered {item} as a birthday present for my mum and the party is on Saturday. It's now {days} late and {carrier} " +
        "can't tell me anything. Is there any way to get it here in time?",
    ],
    [
      'frustrated',
      'This is the second time an order from you has turned up late. {Order} is {days} overdue and {carrier} tracking ' +
        'just says "in transit". Not great.',
    ],
    [
      'angry',
      "I needed {item} for my sister's WEDDING this weekend. You promised delivery by Tuesday, it's {days} late, and now " +
        "it's going to be useless to me. I paid extra for shipping for a reason!!",
    ],
    ['frustrated', 'still no delivery. {order}'],
    [
      'confused',
      'my order hasnt arrived yet, it was ment to come {days} ago?? tracking says its with {carrier} but nothing moves. whats going on',
    ],
    [
      'calm',
      'I placed {order} for {item} and the confirmation said it would arrive within 3-5 working days. It is now {days} past ' +
        'that and the tracking page has shown the same status since Monday. Could you check with {carrier} for me? ' +
        "If it's lost I'd rather know now so I can reorder.",
    ],
    ['anxious', "Our anniversary is tomorrow and {item} still hasn't shown up. Please tell me it's out for delivery."],
    ['frustrated', '{Days} late and counting. Order ID: {orderId}. Any news?'],
  ],
  delivery_lost: [
    ['angry', 'Tracking says DELIVERED but there is nothing here. I checked with the neighbours and the front desk. Where is {item}?'],
    ['frustrated', '{Carrier} marked {order} as delivered on Monday. It never arrived. I want a replacement or my money back.'],
    [
      'calm',
      "I think my parcel has gone missing. Tracking for {order} hasn't moved in over a week and {carrier} says they have " +
        'no record of it after the depot. What are the next steps?',
    ],
    ['anxious', 'My package seems to be lost and it was a gift :( Is there anything you can do? {Order}'],
    ['frustrated', 'parcel lost. {order}. please advise'],
    [
      'angry',
      'Second lost parcel in two months. {Carrier} says it was left "in a safe place" - it WASN\'T. ' +
        "I'm starting to think I should just stop ordering from you.",
    ],
    ['confused', 'the tracking says deliverd to mailroom but our building doesnt have a mailroom?? {order}'],
  ],
  damaged_item: [
    ['angry', '{Item} arrived SMASHED. The box was barely taped and there was no padding at all. I want a replacement sent today.'],
    [
      'calm',
      "Unfortunately {item} from {order} arrived damaged - there's a crack along one side. I've attached photos. " +
        'Could you send a replacement?',
    ],
    ['frustrated', 'Opened the box and {item} was in pieces. Really disappointing, I was looking forward to using it.'],
    ['frustrated', 'item arrived broken. photos attached. {order}'],
    ['angry', 'This is the SECOND time {item} has arrived broken. Please pack it properly this time or just refund me!!'],
    ['anxious', "I bought {item} for my dad's birthday on Sunday and it arrived dented. Is there any chance of a replacement before then?"],
    ['frustrated', 'recieved my order today but the box was crushed and {item} is scratched all over. not happy tbh'],
  ],
  wrong_item: [
    ['frustrated', 'I ordered {item} and received something completely different. Please send the right one.'],
    ['angry', 'WRONG ITEM. Again. I ordered {item}, not whatever this is. How hard is it??'],
    [
      'calm',
      'I think there was a mix-up with {order} - the packing slip says {item} but the box contains a different product. ' +
        'How do I send it back?',
    ],
    [
      'confused',
      "Got a parcel today with someone else's name on the packing slip? It has stuff I never ordered. Where is {item} I paid for?",
    ],
    ['frustrated', 'wrong item in {order}'],
    ['anxious', 'I received the wrong colour and I need {item} for an event next Friday. Can you swap it quickly?'],
    ['frustrated', "Second time in a row you've sent me the wrong thing. I'm honestly losing patience."],
  ],
  missing_item: [
    ['calm', "{Order} arrived today but {item} wasn't in the box. Everything else was there. Could you send it separately?"],
    ['frustrated', "Half my order is missing. The invoice lists {item} but it's not in the parcel."],
    ['angry', "I paid for {item} and it is NOT in the box. I'm not paying for air."],
    ['confused', 'is {item} coming in a seperate package? it wasnt in the box and nothing in the email says it was split'],
    ['frustrated', 'missing {item} from {order}'],
    ['anxious', "The box arrived but {item} is missing, and it was meant to be a present for my friend's wedding next week. Please help!"],
    [
      'frustrated',
      "Again something is missing from my order. Last time it was a lid, this time it's {item}. Do you check these before they go out?",
    ],
  ],
  quality_defect: [
    ['calm', "{Item} stopped working after two weeks. I've only used it a handful of times. Is this covered by the warranty?"],
    [
      'frustrated',
      'Really disappointed with {item}. The finish started peeling after the first wash and it looks nothing like the photos.',
    ],
    ['angry', '{Item} is JUNK. Broke the first time I used it. I want a full refund, not store credit.'],
    ['confused', "Is {item} supposed to leak? Water comes out the bottom when I fill it. Not sure if I'm doing something wrong."],
    ['frustrated', 'the handle came off {item} after like 3 days. definately not the quality i expected for the price'],
    ['angry', 'This is the second replacement of {item} with the SAME fault. Clearly not a one-off. Sort out your quality control.'],
    ['frustrated', 'product faulty. {order}'],
  ],
  payment_problem: [
    ['confused', "My card was declined at checkout but my bank says there's nothing wrong with it. Did the order go through or not?"],
    [
      'frustrated',
      'Tried to pay three times and it keeps saying "payment failed". Now I have three pending charges of {amount} on my account.',
    ],
    [
      'anxious',
      'The payment page froze after I clicked pay. I can see {amount} taken from my account but no confirmation email. ' +
        'Have I been charged for nothing?',
    ],
    ['angry', 'Your checkout took my money and then told me the payment FAILED. Fix it.'],
    ['confused', 'payment not going through??'],
    ['calm', "I'm trying to pay for {order} with PayPal but it keeps sending me back to the cart. Is there another way to pay?"],
    ['frustrated', 'cant complete payment, keeps saying error code 502. tried 2 diffrent cards'],
  ],
  billing_error: [
    ['angry', 'You charged me TWICE for {order}. {Amount} taken two times. I want the duplicate refunded immediately.'],
    ['calm', 'My statement shows {amount} for {order}, but the total at checkout was lower. Could you check what happened?'],
    ['confused', 'Why was I charged for shipping? The site said free delivery over $50.'],
    ['frustrated', "I used a discount code at checkout but it wasn't applied to the final charge. I was billed {amount}."],
    ['frustrated', 'double charged. {order}'],
    [
      'anxious',
      "Second month in a row there's a charge from you I don't recognise. What is this for? I'm worried my card was compromised.",
    ],
    ['confused', 'got charged {amount} but my order total was less, can someone explain the diffrence'],
  ],
  refund_request: [
    ['calm', "I'd like to return {item} and get a refund please. It's unused and still in the original packaging."],
    ['frustrated', 'I sent {item} back two weeks ago and still no refund. The tracking shows you received it on the 3rd.'],
    ['angry', "I want my money back. {Amount}. NOW. I've waited long enough."],
    [
      'anxious',
      "I returned {order} last month and the refund of {amount} still hasn't shown up. Money is tight right now so " +
        'I really need it back.',
    ],
    ['calm', 'refund for {order} pls'],
    ['frustrated', "This is the second time I'm asking about my refund. Nobody replied to my first email."],
    ['confused', 'how long do refunds take? i was told 5 buisness days and its been 10'],
  ],
  cancellation: [
    ['calm', 'I placed {order} by mistake about an hour ago. Could you cancel it before it ships?'],
    ['frustrated', "I asked to cancel {order} yesterday and today I got a shipping confirmation. I don't want it!"],
    ['angry', "CANCEL MY ORDER. I've asked twice already."],
    ['anxious', "Please cancel {order} asap - I ordered the wrong thing and I can't afford to pay for both."],
    ['calm', 'cancel {order}'],
    ['confused', "There's no cancel button on my order page. How do I cancel {order}?"],
    ['calm', 'pls cancell my order, found {item} cheaper elsewhere sorry'],
  ],
  account_access: [
    ['frustrated', "I can't log in to my account. The password reset email never arrives, and yes I checked spam."],
    ['angry', 'Locked out of my account AGAIN. Third time this month. What is going on with your site?'],
    ['calm', "I changed my email address and now I can't sign in. Could you update my account so I can see {order}?"],
    ['anxious', "Someone changed my account password and it wasn't me. I have my card saved on there. Please lock it!"],
    ['confused', 'it says my email isnt registered but i have ordered from you before?? {order}'],
    ['frustrated', 'cant login'],
    ['frustrated', 'This is the second time my account has been locked for "suspicious activity". I just want to check my order.'],
  ],
  website_bug: [
    ['frustrated', 'Your checkout keeps crashing when I click "Place order". Tried on my phone and my laptop.'],
    ['confused', 'The discount code box disappears when I go to the payment step. Is that a bug?'],
    ['angry', 'Your website is BROKEN. Every time I add {item} to the basket it empties the whole thing!!'],
    ['calm', 'Just a heads up: the "Track order" link in your confirmation email goes to a 404 page.'],
    ['frustrated', 'site not loading'],
    ['frustrated', 'the page keeps refresing when i try to enter my adress, cant finish my order'],
    ['frustrated', "I reported this last week already - the size dropdown still doesn't work on mobile."],
  ],
  rude_service: [
    ['angry', 'The person I spoke to on chat was incredibly rude and then just closed the chat on me. UNACCEPTABLE.'],
    [
      'frustrated',
      "I called about {order} and the agent sighed, talked over me and told me it was my fault. I've been a customer " +
        'for years and have never been spoken to like that.',
    ],
    [
      'calm',
      "I'd like to make a complaint about the service I received on the phone today. The agent was dismissive and didn't " +
        'seem interested in helping.',
    ],
    ['angry', 'Your delivery driver threw the parcel over the fence and swore at me when I asked him to bring it to the door!!'],
    ['anxious', 'I felt really uncomfortable with how I was spoken to by your support team. I just wanted help with {order}.'],
    ['angry', 'Second time I have been treated like this by your support. Is this how you treat LOYAL customers?'],
    ['angry', 'ur support guy was so rude. want to speak to a manager'],
  ],
  other: [
    ['confused', 'I got an email saying my order was cancelled but I never cancelled anything?'],
    ['calm', "I'd like to change the delivery address on {order} if it's not too late."],
    ['frustrated', "I've sent three emails and nobody has replied. Is anyone actually reading these?"],
    ['angry', 'Worst shopping experience I have had in YEARS. I will be telling everyone I know.'],
    ['calm', 'need help with {order}'],
    ['anxious', "I haven't heard anything since placing {order} - no confirmation, nothing. Is it actually going through?"],
    ['confused', 'can u tell me if {item} is back in stock, i was promised an email and never got one'],
  ],
};

const subjects: Record<ComplaintKind, readonly string[]> = {
  delivery_late: ['Where is my order?', 'Late delivery', '{Order} still not here', 'Delivery delayed - need it this week', 'ETA??'],
  delivery_lost: ['Parcel lost', 'Package marked delivered but not received', 'Missing parcel', 'Never arrived'],
  damaged_item: ['Item arrived damaged', 'Broken on arrival', 'Damaged parcel', 'Smashed!!'],
  wrong_item: ['Wrong item received', 'Not what I ordered', 'Mix-up with my order', 'wrong item'],
  missing_item: ['Item missing from order', 'Incomplete order', 'Something missing', 'Missing part of {order}'],
  quality_defect: ['Faulty product', 'Quality issue', 'Stopped working', 'Defective item'],
  payment_problem: ['Payment failed', 'Card declined', 'Problem paying', 'Was I charged?'],
  billing_error: ['Double charged', 'Wrong amount charged', 'Billing error', 'Charge I do not recognise'],
  refund_request: ['Refund request', 'Where is my refund?', 'Return and refund', 'Refund'],
  cancellation: ['Cancel order', 'Please cancel', 'Cancellation request', 'CANCEL'],
  account_access: ["Can't log in", 'Locked out', 'Password reset not working', 'Account access'],
  website_bug: ['Website problem', 'Checkout broken', 'Bug on your site', 'Site error'],
  rude_service: ['Complaint about staff', 'Rude agent', 'Formal complaint', 'Very poor service'],
  other: ['Question about my order', 'Complaint', 'No reply', 'Hello?'],
};

// Mail clients and chat widgets often send next to nothing as a subject; triage must cope.
const genericSubjects = ['Order {orderId}', 'Re: Order {orderId}', '{orderId}', 'help', 'Help!!', 'question', 'urgent', 'My order'];

const openers: Record<Tone, readonly string[]> = {
  calm: ['Hi,', 'Hello,', 'Hi there,', 'Good morning,', 'Hello team,', "Hi, hope you're well."],
  frustrated: ['Hi.', 'Hello,', 'Hi,'],
  angry: ['Hello.', 'To whom it may concern,'],
  anxious: ['Hi, sorry to bother you.', 'Hello, I hope you can help.', 'Hi,'],
  confused: ['Hi, quick question.', 'Hello,', 'Hi, not sure if this is the right place to ask.'],
};

const closers: Record<Tone, readonly string[]> = {
  calm: ['Thanks!', 'Thank you in advance.', 'Thanks for your help.', 'Much appreciated.'],
  frustrated: [
    'Please sort this out.',
    "I'd appreciate a quick reply.",
    'Not impressed.',
    'Can someone actually get back to me this time?',
  ],
  angry: [
    'I expect a reply TODAY.',
    'Absolutely unacceptable.',
    "If this isn't fixed I'm disputing the charge with my bank.",
    "I'll be leaving a review.",
  ],
  anxious: ['Please let me know as soon as you can.', "I'm really worried about this.", 'Any update would help, thank you.'],
  confused: ['Am I missing something?', "Thanks, I'm a bit lost here.", 'Could someone explain?'],
};

const signOffs = ['{name}', '- {name}', 'Thanks,\n{name}', 'Regards,\n{name}', 'Cheers, {name}'];

type Intent = keyof typeof data.byIntent;
const bitextIntents: Partial<Record<ComplaintKind, readonly Intent[]>> = {
  other: ['complaint'],
  rude_service: ['complaint'],
  refund_request: ['get_refund', 'track_refund'],
  payment_problem: ['payment_issue'],
  delivery_late: ['delivery_period', 'track_order'],
  cancellation: ['cancel_order'],
};
/** Share of bodies taken verbatim-ish from the Bitext sample for the kinds it covers. */
const BITEXT_RATE = 0.15;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function slotValues(ctx: ComplaintContext): Record<string, string | undefined> {
  const item = ctx.itemName?.trim();
  const orderId = ctx.orderId?.trim() || undefined;
  const days = ctx.daysLate !== undefined && Number.isFinite(ctx.daysLate) && ctx.daysLate >= 1 ? Math.round(ctx.daysLate) : undefined;
  return {
    order: orderId ? `order ${orderId}` : 'my order',
    orderId,
    // Catalogue names are title-cased ("Gooseneck kettle"); lower-case them after "the" unless they look like an acronym.
    item: item ? `the ${/^[A-Z][a-z]/.test(item) ? item.charAt(0).toLowerCase() + item.slice(1) : item}` : 'the item',
    carrier: ctx.carrier?.trim() || 'the courier',
    days: days === undefined ? 'several days' : days === 1 ? 'a day' : `${days} days`,
    amount: ctx.amount?.trim() || 'the full amount',
    name: ctx.customerFirstName?.trim() || undefined,
  };
}

/** Slots a template cannot do without: it is skipped rather than printed with a hole. */
const usable = (template: string, slots: Record<string, string | undefined>): boolean =>
  [...template.matchAll(/\{(\w+)\}/g)].every((m) => slots[m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1)] !== undefined);

function fill(template: string, slots: Record<string, string | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const key = name.charAt(0).toLowerCase() + name.slice(1);
    const value = slots[key];
    if (value === undefined) throw new Error(`complaint-texts: no value for slot {${name}}`);
    return name === key ? value : capitalise(value);
  });
}

const AMOUNT = /\$\s?\d+(?:\.\d{2})?|\b\d+ dollars\b/;

/** Makes a Bitext instruction fit this order: its own order numbers and {{placeholders}} become ours or go. */
function adaptBitext(line: string, ctx: ComplaintContext): string {
  const id = ctx.orderId?.trim() || undefined;
  let s = line.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, name: string) => (id && /order|purchase|number|id/i.test(name) ? id : ''));
  s = s.replace(/([A-Za-z])(\d{8,})/g, '$1 $2');
  // Without an id of our own, "cancel purchase 1135..." reads better as "cancel my purchase" than with a dangling noun.
  s = id
    ? s.replace(/#?\d{8,}/g, id)
    : s.replace(/\b(the\s+)?([A-Za-z]+)\s+#?\d{8,}/g, (_, the: string | undefined, noun: string) => `${the ?? 'my '}${noun}`);
  if (ctx.amount) s = s.replace(new RegExp(AMOUNT.source, 'g'), ctx.amount);
  return s
    .replace(/\s+([?!.,])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

// Bitext lines carry no emotion label; a rough guess from the wording keeps the tone field honest.
function bitextTone(line: string): Tone {
  if (/\b(bloody|damn|goddamn|fucking)\b/i.test(line)) return 'angry';
  if (/\b(don'?t|do not) know\b|\bhow (can|could|do|to)\b/i.test(line)) return 'confused';
  if (/\b(waiting|expect|when|how soon|how long)\b/i.test(line)) return 'anxious';
  if (/\b(not happy|unhappy|can'?t|cannot|problem|error|issue)\b/i.test(line)) return 'frustrated';
  return 'calm';
}

function pickSubject(kind: ComplaintKind, rng: Rng, slots: Record<string, string | undefined>): string {
  // Every pool holds templates without strict slots, so the filtered list is never empty.
  const pool = (rng() < 0.2 ? genericSubjects : subjects[kind]).filter((s) => usable(s, slots));
  return fill(pick(rng, pool), slots);
}

export function complaintText(kind: ComplaintKind, rng: Rng, ctx: ComplaintContext): ComplaintText {
  const slots = slotValues(ctx);
  const subject = pickSubject(kind, rng, slots);

  const intents = bitextIntents[kind];
  if (intents && rng() < BITEXT_RATE) {
    // Without the order's own amount, a line asking for "$1499" back would invent money the triage then believes.
    const lines = data.byIntent[pick(rng, intents)].filter((l) => ctx.amount || !AMOUNT.test(l));
    const body = lines.length > 0 ? adaptBitext(pick(rng, lines), ctx) : '';
    if (body.length > 0) return { subject, body, tone: bitextTone(body) };
  }

  const [tone, template] = pick(
    rng,
    bodies[kind].filter(([, t]) => usable(t, slots)),
  );
  const main = fill(template, slots);
  // Terse chat messages mostly arrive bare; e-mails get a greeting, a closing line and a name.
  const terse = main.length < 60 && rng() < 0.75;
  if (terse) return { subject, body: main, tone };

  const parts: string[] = [];
  const opener = rng() < 0.65 ? pick(rng, openers[tone]) : undefined;
  if (opener && rng() < 0.3) parts.push(`${opener} ${main}`);
  else parts.push(...(opener ? [opener] : []), main);
  if (rng() < 0.55) parts.push(pick(rng, closers[tone]));
  if (rng() < 0.45) {
    const signOff = rng() < 0.12 ? 'Sent from my iPhone' : slots.name ? fill(pick(rng, signOffs), slots) : undefined;
    if (signOff) parts.push(signOff);
  }
  return { subject, body: parts.join(rng() < 0.7 ? '\n\n' : '\n'), tone };
}
