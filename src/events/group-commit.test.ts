import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommitter } from './group-commit.ts';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every pending callback of the current turn and the next (setImmediate) run. */
const settle = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

/** A state probe: 'pending' until the promise settles, then 'resolved' or 'rejected'. */
function track(p: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected' } {
  const t = { state: 'pending' as 'pending' | 'resolved' | 'rejected' };
  p.then(
    () => {
      t.state = 'resolved';
    },
    () => {
      t.state = 'rejected';
    },
  );
  return t;
}

/** A fake commit that records each call's units and answers `${unit}!`; it throws when a unit is 'bad'. */
function fakeCommit(opts: { gate?: () => Promise<void> } = {}) {
  const calls: string[][] = [];
  const commit = async (units: string[]) => {
    calls.push([...units]);
    if (opts.gate) await opts.gate();
    if (units.includes('bad')) throw new Error(`cannot commit ${units.join(',')}`);
    return units.map((u) => `${u}!`);
  };
  return { calls, commit };
}

const unitWeight = (opts: { maxWeight?: number; maxWaitMs?: number; weight?: (u: string) => number } = {}) => ({
  maxWaitMs: opts.maxWaitMs ?? 0,
  maxWeight: opts.maxWeight ?? 1000,
  weight: opts.weight ?? (() => 1),
});

describe('GroupCommitter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('commits units submitted in the same tick in one call, answering each its own result', async () => {
    const { calls, commit } = fakeCommit();
    const gc = new GroupCommitter(commit, unitWeight());
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((u) => gc.submit(u)));
    expect(results).toEqual(['a!', 'b!', 'c!', 'd!']);
    expect(calls).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('commits separately what is submitted in separate ticks when nothing is running', async () => {
    const { calls, commit } = fakeCommit();
    const gc = new GroupCommitter(commit, unitWeight());
    expect(await gc.submit('a')).toBe('a!');
    expect(await gc.submit('b')).toBe('b!');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('settles a unit only after its commit has finished', async () => {
    const gate = deferred();
    const { calls, commit } = fakeCommit({ gate: () => gate.promise });
    const gc = new GroupCommitter(commit, unitWeight());
    const a = track(gc.submit('a'));
    await settle();
    expect(calls).toEqual([['a']]);
    expect(a.state).toBe('pending');
    gate.resolve();
    await settle();
    expect(a.state).toBe('resolved');
  });

  it('gathers what arrives during a commit into the next group', async () => {
    let gate = deferred();
    const { calls, commit } = fakeCommit({ gate: () => gate.promise });
    const gc = new GroupCommitter(commit, unitWeight());
    const first = gc.submit('a');
    await settle();
    expect(calls).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((u) => gc.submit(u));
    await settle();
    // Still one call: b, c and d wait for a's transaction to finish.
    expect(calls).toEqual([['a']]);
    const firstGate = gate;
    gate = deferred();
    firstGate.resolve();
    await settle();
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    gate.resolve();
    expect(await first).toBe('a!');
    expect(await Promise.all(later)).toEqual(['b!', 'c!', 'd!']);
  });

  it('closes a group at maxWeight, keeping the order of submission', async () => {
    const { calls, commit } = fakeCommit();
    const weights: Record<string, number> = { a: 2, b: 2, c: 2, d: 2, e: 2 };
    const gc = new GroupCommitter(commit, unitWeight({ maxWeight: 5, weight: (u) => weights[u]! }));
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((u) => gc.submit(u)));
    expect(results).toEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (const group of calls) expect(group.reduce((w, u) => w + weights[u]!, 0)).toBeLessThanOrEqual(5);
  });

  it('commits a unit heavier than maxWeight alone rather than never', async () => {
    const { calls, commit } = fakeCommit();
    const weights: Record<string, number> = { small: 1, huge: 50, tail: 1 };
    const gc = new GroupCommitter(commit, unitWeight({ maxWeight: 5, weight: (u) => weights[u]! }));
    expect(await Promise.all(['small', 'huge', 'tail'].map((u) => gc.submit(u)))).toEqual(['small!', 'huge!', 'tail!']);
    expect(calls).toEqual([['small'], ['huge'], ['tail']]);
  });

  it('retries a failing group unit by unit, so only the bad unit rejects', async () => {
    const { calls, commit } = fakeCommit();
    const gc = new GroupCommitter(commit, unitWeight());
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((u) => gc.submit(u)));
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'a!' });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { message: 'cannot commit bad' } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 'c!' });
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('rejects a failing group of one without retrying it, and goes on committing', async () => {
    const { calls, commit } = fakeCommit();
    const gc = new GroupCommitter(commit, unitWeight());
    await expect(gc.submit('bad')).rejects.toThrow('cannot commit bad');
    expect(calls).toEqual([['bad']]);
    expect(await gc.submit('next')).toBe('next!');
    expect(calls).toEqual([['bad'], ['next']]);
  });

  it('rejects a unit whose commit throws before returning a promise', async () => {
    const calls: string[][] = [];
    const commit = (units: string[]): Promise<string[]> => {
      calls.push(units);
      if (units.includes('bad')) throw new Error('sync failure');
      return Promise.resolve(units.map((u) => u.toUpperCase()));
    };
    const gc = new GroupCommitter(commit, unitWeight());
    const settled = await Promise.allSettled(['x', 'bad'].map((u) => gc.submit(u)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'X' },
      { status: 'rejected', reason: new Error('sync failure') },
    ]);
    expect(calls).toHaveLength(3);
  });

  it('waits up to maxWaitMs for company before committing', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { calls, commit } = fakeCommit();
    const gc = new GroupCommitter(commit, unitWeight({ maxWaitMs: 10 }));
    const a = gc.submit('a');
    vi.advanceTimersByTime(9);
    expect(calls).toEqual([]);
    const b = gc.submit('b');
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([['a', 'b']]);
    expect(await Promise.all([a, b])).toEqual(['a!', 'b!']);
  });

  describe('drain', () => {
    it('resolves at once when nothing is pending', async () => {
      const { calls, commit } = fakeCommit();
      const gc = new GroupCommitter(commit, unitWeight());
      await expect(gc.drain()).resolves.toBeUndefined();
      expect(calls).toEqual([]);
    });

    it('waits for queued and running commits to settle, failures included', async () => {
      let gate = deferred();
      const { calls, commit } = fakeCommit({ gate: () => gate.promise });
      const gc = new GroupCommitter(commit, unitWeight());
      const units = ['a', 'bad', 'c'].map((u) => track(gc.submit(u)));
      const drained = track(gc.drain());
      await settle();
      expect(calls).toEqual([['a', 'bad', 'c']]);
      expect(drained.state).toBe('pending');
      // Open every gate from now on: the group fails and is retried unit by unit.
      const first = gate;
      gate = { promise: Promise.resolve(), resolve: () => {} };
      first.resolve();
      await vi.waitFor(() => expect(drained.state).toBe('resolved'));
      expect(units.map((u) => u.state)).toEqual(['resolved', 'rejected', 'resolved']);
      expect(calls).toHaveLength(4);
    });

    it('waits for units submitted after drain was called but before the committer went idle', async () => {
      let gate = deferred();
      const { calls, commit } = fakeCommit({ gate: () => gate.promise });
      const gc = new GroupCommitter(commit, unitWeight());
      const a = track(gc.submit('a'));
      await settle();
      const drained = track(gc.drain());
      const b = track(gc.submit('b'));
      const first = gate;
      gate = deferred();
      first.resolve();
      await settle();
      expect(a.state).toBe('resolved');
      expect(calls).toEqual([['a'], ['b']]);
      expect(b.state).toBe('pending');
      expect(drained.state).toBe('pending');
      gate.resolve();
      await vi.waitFor(() => expect(drained.state).toBe('resolved'));
      expect(b.state).toBe('resolved');
    });
  });
});

describe('GroupCommitter with a durability step', () => {
  const opts = { maxWaitMs: 0, maxWeight: 100, weight: () => 1 };

  it('answers a group only once it is durable, and commits the next group meanwhile', async () => {
    const { calls, commit } = fakeCommit();
    const disk = [deferred(), deferred()];
    let flushes = 0;
    const gc = new GroupCommitter(commit, { ...opts, durable: () => disk[flushes++]!.promise });
    const a = track(gc.submit('a'));
    await settle();
    expect(calls).toEqual([['a']]);
    expect(a.state).toBe('pending');
    // A second group commits while the first one's fsync is still running.
    const b = track(gc.submit('b'));
    await settle();
    expect(calls).toEqual([['a'], ['b']]);
    expect([a.state, b.state]).toEqual(['pending', 'pending']);
    disk[0]!.resolve();
    await settle();
    expect([a.state, b.state]).toEqual(['resolved', 'pending']);
    disk[1]!.resolve();
    await settle();
    expect(b.state).toBe('resolved');
  });

  it('fails the callers of a group whose durability step fails', async () => {
    const { commit } = fakeCommit();
    const gc = new GroupCommitter(commit, { ...opts, durable: () => Promise.reject(new Error('fsync failed')) });
    await expect(gc.submit('a')).rejects.toThrow('fsync failed');
  });

  it('drain waits for groups that are committed but not yet durable', async () => {
    const { commit } = fakeCommit();
    const disk = deferred();
    const gc = new GroupCommitter(commit, { ...opts, durable: () => disk.promise });
    const a = track(gc.submit('a'));
    await settle();
    const drained = track(gc.drain());
    await settle();
    expect(drained.state).toBe('pending');
    disk.resolve();
    await settle();
    expect([a.state, drained.state]).toEqual(['resolved', 'resolved']);
  });
});
