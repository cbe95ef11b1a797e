import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../bin/amends.js');

function amends(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const line = (o: unknown) => JSON.stringify(o);
const good = [
  { id: 'm1', text: 'You charged me twice for order 1001!!', channel: 'email' },
  { id: 'm2', subject: 'Broken', text: 'The vase arrived smashed. I will dispute the charge with my bank.' },
  { id: 'm3', text: 'Hola, mi pedido no ha llegado todavía.' },
  { id: 'm4', text: 'Where is my parcel?', context: { shipmentLost: true } },
];
const input = [
  line(good[0]),
  '{"id": "broken", "text": ', // line 2: not JSON
  line(good[1]),
  line({ id: 'no-text' }), // line 4
  '',
  line({ id: 'num', text: 42 }), // line 6
  line(good[2]),
  '[1, 2]', // line 8
  line(good[3]),
].join('\n');

function parse(stdout: string) {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('amends triage', () => {
  it('reads standard input, keeps order and fields, adds labels, reports bad lines and exits 1', () => {
    const r = amends(['triage'], `${input}\n`);
    expect(r.code).toBe(1);
    const out = parse(r.stdout);
    expect(out.map((o) => o.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(out[0].channel).toBe('email');
    expect(out[0].triage.kind.value).toBe('billing_error');
    expect(out[1].subject).toBe('Broken');
    expect(out[1].triage.kind.value).toBe('damaged_item');
    expect(out[1].triage.legalOrPublicThreat.value).toBe(true);
    expect(out[1].triage.severity.value).toBe(4);
    expect(out[2].triage.language.value).toBe('es');
    expect(out[2].triage.kind.value).toBe('delivery_late');
    expect(out[3].triage.kind.value).toBe('delivery_lost');
    expect(out[3].triage.kind.evidence[0].rule).toBe('context.shipment_lost');
    for (const o of out) {
      expect(Object.keys(o.triage).sort()).toEqual(
        ['churnThreat', 'emotion', 'kind', 'language', 'legalOrPublicThreat', 'repeatMention', 'sentiment', 'severity', 'urgency'].sort(),
      );
    }
    expect(r.stderr).toMatch(/^line 2: not JSON$/m);
    expect(r.stderr).toMatch(/^line 4: text: /m);
    expect(r.stderr).toMatch(/^line 6: text: /m);
    expect(r.stderr).toMatch(/^line 8: not a JSON object$/m);
    expect(r.stderr).not.toMatch(/^line 5:/m);
  });

  it('reads a file with - as the default, and exits 0 when every line is good', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'amends-triage-')), 'messages.jsonl');
    fs.writeFileSync(file, good.map(line).join('\n'));
    const fromFile = amends(['triage', file]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stderr).toBe('');
    expect(parse(fromFile.stdout).map((o) => o.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    const fromStdin = amends(['triage', '-'], good.map(line).join('\n'));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('fails clearly on a missing file', () => {
    const r = amends(['triage', path.join(os.tmpdir(), 'no-such-file.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*no-such-file\.jsonl/);
  });
});
