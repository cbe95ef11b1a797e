import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * The customer side (ADR 0009): signed links and the short sessions they open (portal, community), follow-ups
 * and survey answers, status-page updates of incidents, and the community (members, posts, votes, reports,
 * badges).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // A link sent to a customer: the URL carries a random token, the row only its SHA-256. Scoped to one store
  // and one purpose; single-use links are spent by one conditional update of `used_at`.
  await db.schema
    .createTable('signed_links')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    /** SHA-256 (hex) of the token in the URL. */
    .addColumn('id', 'text', (c) => c.notNull())
    /** portal, survey, survey-comment, community… */
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    /** JSON: what the link is for beyond its subject (e.g. the survey metric). */
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signed_links_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('signed_links_subject_idx').on('signed_links').columns(['store_id', 'subject_type', 'subject_id']).execute();

  // A browser session opened by a signed link (portal) or a member's sign-in (community): cookie secret's
  // SHA-256 is the id, like the console's sessions, with its own CSRF token.
  await db.schema
    .createTable('public_sessions')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** portal or community. */
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('member_id', 'text')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('public_sessions_pk', ['store_id', 'id'])
    .execute();

  // Follow-ups after a resolution: the check-in (with its survey links), a VIP's personal note, NPS.
  await db.schema
    .createTable('followups')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** checkin, personal_note, nps. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    /** One per kind and occasion, e.g. `checkin:<case>:<resolved at>`: scheduling twice changes nothing. */
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    /** scheduled → sent | done | cancelled | skipped. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('followups_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('followups_dedup_uq').on('followups').columns(['store_id', 'dedup_key']).unique().execute();
  await db.schema.createIndex('followups_due_idx').on('followups').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('followups_case_idx').on('followups').columns(['store_id', 'case_id']).execute();

  // Survey answers, as projected from `survey.answered` events (the ledger keeps the event).
  await db.schema
    .createTable('survey_responses')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('followup_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('customer_id', 'text')
    /** csat (1–5), ces (1–7), nps (0–10). */
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_responses_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('survey_responses_event_uq').on('survey_responses').columns(['store_id', 'event_id']).unique().execute();
  await db.schema.createIndex('survey_responses_case_idx').on('survey_responses').columns(['store_id', 'case_id']).execute();

  // What the status page says about an incident, in time order.
  await db.schema.alterTable('incidents').addColumn('public_title', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('public_summary', 'text').execute();
  await db.schema
    .createTable('incident_updates')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    /** investigating, identified, monitoring, resolved. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    /** Shown on the status page only when set (and the incident is public). */
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(1))
    /** A person (user id) or null for the system's own updates (opened, resolved). */
    .addColumn('author_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_updates_pk', ['store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('incident_updates_incident_idx')
    .on('incident_updates')
    .columns(['store_id', 'incident_id', 'created_at'])
    .execute();

  // Community: members (a customer or staff), posts (questions and answers), votes, reports, badges.
  await db.schema
    .createTable('community_members')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    /** A console user who answers as staff (staff badge). */
    .addColumn('user_id', 'text')
    .addColumn('reputation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('banned_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_members_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('community_members_email_uq').on('community_members').columns(['store_id', 'email']).unique().execute();

  await db.schema
    .createTable('community_posts')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    /** question or answer. */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** An answer's question. */
    .addColumn('question_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    /** Markdown as written; rendered and sanitised on the way out. */
    .addColumn('body', 'text', (c) => c.notNull())
    /** JSON array of tags (questions). */
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    /** pending (pre-moderation), published, hidden (moderator), private (taken private: a case now). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('answer_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted_answer_id', 'text')
    .addColumn('case_id', 'text')
    /** Root-cause analytics: the failure kind the topic is about (triage of title and body). */
    .addColumn('topic_kind', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_posts_pk', ['store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('community_posts_list_idx')
    .on('community_posts')
    .columns(['store_id', 'kind', 'status', 'created_at'])
    .execute();
  await db.schema.createIndex('community_posts_question_idx').on('community_posts').columns(['store_id', 'question_id']).execute();

  await db.schema
    .createTable('community_votes')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('post_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    /** +1 or -1. */
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_votes_pk', ['store_id', 'post_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('community_reports')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('post_id', 'text', (c) => c.notNull())
    .addColumn('reporter_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    /** open → upheld | dismissed. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_reports_pk', ['store_id', 'id'])
    .execute();
  await db.schema.createIndex('community_reports_open_idx').on('community_reports').columns(['store_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('community_badges')
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    /** staff, first-accepted-answer, helpful-10… */
    .addColumn('badge', 'text', (c) => c.notNull())
    .addColumn('awarded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_badges_pk', ['store_id', 'member_id', 'badge'])
    .execute();
}
