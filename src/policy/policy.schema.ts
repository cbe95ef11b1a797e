/**
 * The compensation policy file (policies/default.yaml explains each part).
 * Money is written as decimals of the policy's currency and parsed into
 * integer minor units, so the schema is built per currency.
 */
import { z } from 'zod';
import { caseSources } from '../cases/lifecycle.ts';
import { customerTiers } from '../customers/tier.ts';
import { roles } from '../stores/roles.ts';
import { issueKinds } from '../triage/labels.ts';
import { toMinorUnits } from './money.ts';
import { offerKinds } from './offer-kinds.ts';

export const allowancePeriods = ['day', 'week', 'month', 'quarter'] as const;
export type AllowancePeriod = (typeof allowancePeriods)[number];

/** A value or a list of them; normalised to a list. */
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const offerId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'offer ids are lowercase letters, digits, "_" and "-"');

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. "21:00"');
const metricName = z.string().regex(/^[a-z][a-z0-9_.-]{0,99}$/, 'metric names are lowercase letters, digits, "_", "." and "-"');

/** Proactive recovery (src/proactive): when a monitor fires, and how often a customer may hear from us. */
const proactiveSchema = z
  .object({
    /** An order is late this long after its promise passes undelivered. */
    lateGraceMinutes: z.number().int().min(0).max(43_200).default(0),
    /** Below this lateness the case is only logged; the message waits until it is reached (and is dropped if the parcel arrives first). */
    minLatenessMinutes: z.number().int().min(0).max(43_200).default(0),
    /** A parcel in transit with no carrier scan for this long has stalled. */
    trackingStallHours: z.number().gt(0).max(2160).default(48),
    /** A failed payment not followed by a successful one within this long is a failure to tell the customer about. */
    paymentGraceMinutes: z.number().int().min(0).max(10_080).default(30),
    /** The store's payment failure rate in the last window against its baseline. */
    paymentFailureRate: z
      .object({
        windowMinutes: z.number().int().min(5).max(1440).default(60),
        baselineDays: z.number().int().min(1).max(90).default(7),
        minFailures: z.number().int().min(1).default(5),
        /** A spike is a window rate at least this many times the baseline rate. */
        factor: z.number().gt(1).max(1000).default(3),
      })
      .strict()
      .prefault({}),
    /** Thresholds on `metric.observed`: crossing one opens an outage incident, coming back resolves it. */
    metrics: z
      .record(
        metricName,
        z
          .object({
            above: z.number().optional(),
            below: z.number().optional(),
            severity: z.number().int().min(1).max(4).default(2),
            /** Shown on the public status page. */
            public: z.boolean().default(true),
          })
          .strict()
          .refine((m) => (m.above === undefined) !== (m.below === undefined), 'give exactly one of above or below'),
      )
      .prefault({ checkout_error_rate: { above: 0.05 }, uptime: { below: 99 } }),
    contact: z
      .object({
        /** At most one proactive message per customer in this many hours; later ones wait. */
        cooldownHours: z.number().min(0).max(720).default(24),
        /** In the customer's own timezone; messages due inside wait for the end. null: any time. */
        quietHours: z.object({ start: timeOfDay, end: timeOfDay }).strict().nullable().default({ start: '21:00', end: '08:00' }),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type ProactiveSettings = z.output<typeof proactiveSchema>;

/**
 * Follow-ups after a resolution (src/followups): the check-in with its survey, a VIP's personal note, NPS.
 * Absent from a policy file → these defaults.
 */
const followUpSchema = z
  .object({
    /** The check-in (CSAT and CES links) goes out this many days after the case resolves. */
    checkInDays: z.number().min(0).max(90).default(3),
    /** Customers of these tiers also get a "personal note" task for their relationship manager (else the case's assignee). */
    personalNoteTiers: z.array(z.enum(customerTiers)).max(4).default(['vip']),
    /** Net promoter score for customers whose case stayed recovered: asked afterDays after the resolution, at most once per minDaysBetween. */
    nps: z
      .object({
        enabled: z.boolean().default(true),
        afterDays: z.number().int().min(1).max(365).default(30),
        minDaysBetween: z.number().int().min(1).max(3650).default(90),
      })
      .strict()
      .prefault({}),
    /** An answer at or below these reopens the case and alerts the team (CES: 1 very hard … 7 very easy). null: never. */
    lowScore: z
      .object({
        csat: z.number().int().min(1).max(5).nullable().default(2),
        ces: z.number().int().min(1).max(7).nullable().default(3),
        nps: z.number().int().min(0).max(10).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /** A CSAT of at least minCsat: the thank-you page invites a public review at reviewUrl (when set). */
    reviewInvite: z
      .object({
        minCsat: z.number().int().min(1).max(5).default(5),
        reviewUrl: z
          .url({ protocol: /^https?$/, message: "an http(s) address of the store's public review page" })
          .nullable()
          .default(null),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((f, ctx) => {
    // A CSAT both "low" (reopens the case) and "high" (invites a public review) would do both at once.
    if (f.lowScore.csat !== null && f.lowScore.csat >= f.reviewInvite.minCsat) {
      ctx.addIssue({
        code: 'custom',
        path: ['reviewInvite', 'minCsat'],
        message: `must be above lowScore.csat (${f.lowScore.csat}): a CSAT cannot both reopen the case and invite a review`,
      });
    }
  })
  .prefault({});

export type FollowUpSettings = z.output<typeof followUpSchema>;

function buildSchema(currency: string) {
  const money = z.union([z.number(), z.string()]).transform((v, ctx) => {
    const minor = toMinorUnits(v, currency);
    if (typeof minor === 'string') {
      ctx.addIssue({ code: 'custom', message: minor });
      return z.NEVER;
    }
    return minor;
  });
  const percent = z.number().gt(0).max(100);

  const tierRule = z
    .object({
      minLifetimeValue: money.default(0),
      minOrders: z.number().int().min(0).default(0),
      minTenureDays: z.number().int().min(0).default(0),
    })
    .strict();

  const offer = z
    .object({
      kind: z.enum(offerKinds),
      /** Shown to agents and customers, e.g. "10 % off your next order". */
      label: z.string().min(1).max(120),
      /** Discount codes: percent off the next order… */
      percentOff: z.number().int().min(1).max(100).optional(),
      /** …or the money value as a share of the failed order… */
      percentOfOrder: percent.optional(),
      /** …or a fixed amount. */
      fixed: money.optional(),
      /** At most / at least this much. */
      cap: money.optional(),
      min: money.optional(),
      /** What a non-money remedy costs the store (expedited shipping, a gift, an upgrade, points). */
      value: money.optional(),
      points: z.number().int().positive().optional(),
      validDays: z.number().int().positive().max(3650).optional(),
    })
    .strict()
    .superRefine((o, ctx) => {
      const bases = [o.percentOff, o.percentOfOrder, o.fixed].filter((v) => v !== undefined).length;
      const need = (ok: boolean, message: string, path: string) => {
        if (!ok) ctx.addIssue({ code: 'custom', message, path: [path] });
      };
      switch (o.kind) {
        case 'apology_only':
          need(bases === 0 && o.value === undefined, 'an apology carries no amount', 'kind');
          break;
        case 'discount_code':
          need(
            (o.percentOff !== undefined) !== (o.fixed !== undefined) && o.percentOfOrder === undefined,
            'a discount code needs exactly one of percentOff or fixed',
            'kind',
          );
          // Authority is measured in money: a percent code is valued at most at its cap.
          need(o.percentOff === undefined || o.cap !== undefined, 'a percent discount code needs a cap (what it may cost at most)', 'cap');
          break;
        case 'store_credit':
        case 'refund_partial':
          need(bases === 1 && o.percentOff === undefined, `${o.kind} needs exactly one of percentOfOrder or fixed`, 'kind');
          break;
        case 'refund_full':
        case 'free_replacement':
          need(
            bases === 0 || (bases === 1 && o.percentOfOrder !== undefined),
            `${o.kind} is valued at the order (optionally percentOfOrder)`,
            'kind',
          );
          break;
        case 'loyalty_points':
          need(o.points !== undefined && o.value !== undefined, 'loyalty points need points and the value they cost', 'points');
          break;
        default:
          need(o.value !== undefined && bases === 0, `${o.kind} needs value (what it costs the store) and no other amount`, 'value');
      }
      if (o.cap !== undefined && o.min !== undefined && o.min > o.cap)
        ctx.addIssue({ code: 'custom', message: 'min is above cap', path: ['min'] });
    });

  const rule = z
    .object({
      id: z.string().min(1).max(80),
      when: z
        .object({
          kind: oneOrMany(z.enum(issueKinds)).optional(),
          severity: oneOrMany(z.number().int().min(1).max(4)).optional(),
          tier: oneOrMany(z.enum(customerTiers)).optional(),
          source: oneOrMany(z.enum(caseSources)).optional(),
        })
        .strict()
        .default({}),
      offers: z.array(offerId).min(1).max(10),
      /** The first offer may be issued without a person (within authority.auto and no guardrail). */
      auto: z.boolean().default(false),
    })
    .strict();

  const roleLimit = z
    .object({
      /** Most one person may grant on one case without approval; null = no limit. */
      perCase: money.nullable(),
      /** Total per person per period; null = no allowance limit. */
      allowance: money.nullable().default(null),
      period: z.enum(allowancePeriods).default('month'),
    })
    .strict();

  const protocol = z
    .object({ offer: offerId, tiers: oneOrMany(z.enum(customerTiers)), position: z.enum(['first', 'last']).default('first') })
    .strict();

  return z
    .object({
      version: z.literal(1),
      proactive: proactiveSchema,
      followUp: followUpSchema,
      name: z.string().min(1).max(120),
      currency: z.string(),
      /** 0 means "not by this measure". */
      tiers: z.object({ vip: tierRule, loyal: tierRule, regular: tierRule }).strict(),
      /** Customers who take store credit instead of a refund get this much more. */
      storeCreditBonusPercent: z.number().min(0).max(100).default(0),
      offers: z.record(offerId, offer).refine((o) => Object.keys(o).length > 0, 'define at least one offer'),
      matrix: z.array(rule).min(1),
      lifecycle: z
        .object({
          /** A first failure of these tiers also gets this offer. */
          welcomeBack: protocol.nullable().default(null),
          /** These tiers also get an exclusive perk. */
          exclusivePerk: protocol
            .extend({ position: z.enum(['first', 'last']).default('last') })
            .nullable()
            .default(null),
          /** The kind the customer accepted most often comes first when the rule allows it. */
          preferredRemedyFirst: z.boolean().default(true),
        })
        .strict()
        .default({ welcomeBack: null, exclusivePerk: null, preferredRemedyFirst: true }),
      authority: z
        .object({
          auto: z.object({ perCase: money }).strict(),
          agent: roleLimit,
          manager: roleLimit,
          admin: roleLimit,
        })
        .strict(),
      guardrails: z
        .object({
          /** Compensation to one customer within windowDays stays under share × lifetime value (but may reach floor). */
          lifetimeValueCap: z
            .object({ share: z.number().gt(0).max(10), floor: money, windowDays: z.number().int().min(1).max(3650) })
            .strict(),
          /** Another compensation within this many days of the last is an exception. */
          coolDownDays: z.number().int().min(0).max(3650),
          /** This many cases in windowDays → manual review by a manager. */
          abuse: z.object({ claims: z.number().int().min(2), windowDays: z.number().int().min(1).max(3650) }).strict(),
          /** An exception (over a guardrail, or an amount the matrix did not offer) needs a written reason this long. */
          justificationMinLength: z.number().int().min(1).max(2000).default(20),
        })
        .strict(),
    })
    .strict()
    .superRefine((p, ctx) => {
      const known = new Set(Object.keys(p.offers));
      p.matrix.forEach((r, i) => {
        r.offers.forEach((id, j) => {
          if (!known.has(id))
            ctx.addIssue({ code: 'custom', message: `unknown offer "${id}" (not in offers)`, path: ['matrix', i, 'offers', j] });
        });
      });
      const ids = new Set<string>();
      p.matrix.forEach((r, i) => {
        if (ids.has(r.id)) ctx.addIssue({ code: 'custom', message: `rule id "${r.id}" is used twice`, path: ['matrix', i, 'id'] });
        ids.add(r.id);
      });
      const last = p.matrix.at(-1);
      if (last && Object.keys(last.when).length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'the last matrix rule must match every case (no "when"), so every case gets a decision',
          path: ['matrix', p.matrix.length - 1, 'when'],
        });
      }
      for (const key of ['welcomeBack', 'exclusivePerk'] as const) {
        const proto = p.lifecycle[key];
        if (proto && !known.has(proto.offer)) {
          ctx.addIssue({ code: 'custom', message: `unknown offer "${proto.offer}"`, path: ['lifecycle', key, 'offer'] });
        }
      }
      const ladder = [p.authority.agent.perCase, p.authority.manager.perCase, p.authority.admin.perCase];
      for (let i = 1; i < ladder.length; i++) {
        const lower = ladder[i - 1] ?? null;
        const higher = ladder[i] ?? null;
        if (higher !== null && (lower === null || lower > higher)) {
          ctx.addIssue({
            code: 'custom',
            message: `${roles[i]} may grant less per case than ${roles[i - 1]}`,
            path: ['authority', roles[i]!, 'perCase'],
          });
        }
      }
    });
}

export type Policy = z.output<ReturnType<typeof buildSchema>>;
export type OfferDefinition = Policy['offers'][string];
export type MatrixRule = Policy['matrix'][number];
export type RoleLimit = Policy['authority']['agent'];

export function policySchema(currency: string) {
  return buildSchema(currency);
}
