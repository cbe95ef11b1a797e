/** The status page's pure parts: titles that never leak the internal one, XML-safe text, times in the store's zone. */
import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { openedUpdateText, publicTitleOf } from './public-text.ts';
import { atomFeed, timeOf, xmlText } from './status-page.view.ts';

describe('status page text', () => {
  it('uses the public title, else a generic one by monitor or kind; never the internal title', () => {
    expect(publicTitleOf({ publicTitle: '  Checkout errors ', monitor: 'metric_threshold', kind: 'website_bug' })).toBe('Checkout errors');
    expect(publicTitleOf({ publicTitle: null, monitor: 'lost', kind: 'delivery_lost' })).toBe('Some parcels have gone missing in transit');
    expect(publicTitleOf({ publicTitle: '   ', monitor: 'metric_threshold', kind: 'website_bug' }, 'es')).toBe(
      'Nuestra web tiene problemas',
    );
    expect(publicTitleOf({ publicTitle: null, monitor: 'something_new', kind: 'other' })).toBe('Some of our services are affected');
    expect(openedUpdateText('metric_threshold')).not.toContain('hear from us directly');
    expect(openedUpdateText('shipment_late')).toContain('hear from us directly');
  });

  it('escapes XML and drops what XML 1.0 cannot carry', () => {
    expect(xmlText(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('a\u0001b\u0000c\uFFFEd\tе\n😀\uD800')).toBe('abcd\tе\n😀');
  });

  it('shows instants in the store timezone with their zone, and keeps the instant for machines', () => {
    expect(timeOf('2026-07-01T12:00:00.000Z', 'America/New_York', 'en')).toEqual({
      iso: '2026-07-01T12:00:00Z',
      text: '1 Jul 2026, 08:00 EDT',
    });
    expect(timeOf('2026-01-15T12:00:00Z', 'Europe/Madrid', 'es').text).toMatch(/^15 ene 2026, 13:00 GMT\+1$/);
  });

  it('writes an Atom feed a parser reads back: each entry with its id, title, time, link and the text as written', () => {
    const xml = atomFeed(
      { id: 's', name: 'Tea & <Co>', timezone: 'UTC', createdAt: '2026-01-01T00:00:00.000Z' },
      [
        {
          update: {
            id: 'upd_0195aaaaaaaa7bbbbcccccddddddeeee',
            incidentId: 'inc_1',
            state: 'identified',
            body: 'a < b & "c"\u0007',
            at: '2026-03-02T10:05:00.000Z',
          },
          incident: { id: 'inc_1', monitor: 'lost', kind: 'delivery_lost', publicTitle: null },
        },
      ],
      'https://x.test/status/s',
      'https://x.test/status/s/feed.atom',
    );
    const doc = parseDocument(xml, { xmlMode: true });
    const entry = DomUtils.getElementsByTagName('entry', doc)[0]!;
    const text = (tag: string, el = entry) => DomUtils.textContent(DomUtils.getElementsByTagName(tag, el)[0]!);
    expect(text('title', DomUtils.getElementsByTagName('feed', doc)[0]!)).toBe('Tea & <Co> status');
    expect(text('id')).toBe('urn:uuid:0195aaaa-aaaa-7bbb-bccc-ccddddddeeee');
    expect(text('title')).toBe('Some parcels have gone missing in transit: Identified');
    expect(text('content')).toBe('a < b & "c"');
    expect(text('updated')).toBe('2026-03-02T10:05:00.000Z');
    expect(DomUtils.getElementsByTagName('link', entry)[0]!.attribs.href).toBe('https://x.test/status/s#incident-inc_1');
  });
});
