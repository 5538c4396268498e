/**
 * The enqueue batcher on its own: which rows leave together, in what order, how many statements run at once, and
 * which caller gets which outcome. The flush target is an in-process statement runner that records each statement
 * and answers when the test releases it, so every interleaving is chosen by the test, not by timing. (Isolating a
 * row the database refuses is the runner's job: test/integration/hardening/isolation.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { EnqueueBatcher, type RowOutcome } from '../../src/enqueue-batcher.ts';
import { DriverError } from '../../src/errors.ts';
import type { EnqueueOutcomeRow, EnqueueRow } from '../../src/sql/workflows.ts';

function enqueueRow(workflowID: string): EnqueueRow {
  return {
    workflowID,
    status: 'ENQUEUED',
    name: 'workflow',
    className: null,
    configName: null,
    queueName: 'queue',
    appVersion: null,
    authenticatedUser: null,
    authenticatedRoles: null,
    timeoutMs: null,
    deduplicationID: null,
    priority: 0,
    inputs: '[]',
    serialization: 'portable_json',
    partitionKey: null,
    delayMs: null,
    attributes: null,
    applicationName: null,
    creatorXid: '1',
  };
}

/** The outcome row the enqueue statement returns for an inserted row at position `n`. */
function inserted(n: number, workflowID: string | undefined): EnqueueOutcomeRow {
  return {
    n,
    outcome: 'inserted',
    workflow_uuid: workflowID ?? null,
    name: null,
    class_name: null,
    config_name: null,
    creator_xid: null,
  };
}

/** One statement the batcher ran, held open until the test answers or fails it. */
interface HeldStatement {
  readonly ids: string[];
  /** Answers each row at its position: its outcome row by default, or what `outcomes` gives for it. */
  answer(outcomes?: RowOutcome[]): Promise<void>;
  fail(error: unknown): Promise<void>;
}

/** A statement runner that holds every statement until released; `inFlight` counts the unanswered ones. */
function heldRunner() {
  const statements: HeldStatement[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const run = (rows: EnqueueRow[]): Promise<RowOutcome[]> =>
    new Promise((resolve, reject) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      const ids = rows.map((r) => r.workflowID);
      const settle = async (done: () => void) => {
        inFlight -= 1;
        done();
        await drain();
      };
      statements.push({
        ids,
        answer: (outcomes = ids.map((id, i) => inserted(i + 1, id))) => settle(() => resolve(outcomes)),
        fail: (error) => settle(() => reject(error)),
      });
    });
  return {
    run,
    statements,
    ids: () => statements.map((st) => st.ids),
    mostInFlight: () => mostInFlight,
  };
}

/** Lets every queued microtask and promise callback run (a macrotask boundary; nothing is timed). */
const drain = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Tracks whether a promise has settled, without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('coalescing', () => {
  it('sends a lone enqueue at once, alone', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const outcome = batcher.submit(enqueueRow('a'));
    await drain();
    expect(runner.ids()).toEqual([['a']]);
    await runner.statements[0]?.answer();
    await expect(outcome).resolves.toEqual(inserted(1, 'a'));
  });

  it('sends enqueues issued in the same tick as one statement, in submission order', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const outcomes = ['a', 'b', 'c', 'd'].map((id) => batcher.submit(enqueueRow(id)));
    await drain();
    expect(runner.ids()).toEqual([['a', 'b', 'c', 'd']]);
    await runner.statements[0]?.answer();
    expect((await Promise.all(outcomes)).map((r) => r.workflow_uuid)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('holds an enqueue issued while a statement runs, then sends everything that arrived as one statement', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const first = batcher.submit(enqueueRow('a'));
    await drain();
    const held = [batcher.submit(enqueueRow('b'))];
    await drain();
    held.push(batcher.submit(enqueueRow('c')));
    await drain();
    expect(runner.ids()).toEqual([['a']]);
    await runner.statements[0]?.answer();
    expect(runner.ids()).toEqual([['a'], ['b', 'c']]);
    await runner.statements[1]?.answer();
    expect((await first).workflow_uuid).toBe('a');
    expect((await Promise.all(held)).map((r) => r.workflow_uuid)).toEqual(['b', 'c']);
    expect(runner.mostInFlight()).toBe(1);
  });

  it('sends held enqueues in a statement of their own once holdMs passes, while the first still runs', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 4, 500, 1);
    batcher.submit(enqueueRow('a'));
    await drain();
    batcher.submit(enqueueRow('b'));
    await vi.waitFor(() => expect(runner.ids()).toEqual([['a'], ['b']]));
    expect(runner.mostInFlight()).toBe(2);
  });

  it('without a hold, sends an enqueue issued in a later tick as its own statement while fewer than maxInFlight run', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 2, 500, 0);
    batcher.submit(enqueueRow('a'));
    await drain();
    batcher.submit(enqueueRow('b'));
    await drain();
    expect(runner.ids()).toEqual([['a'], ['b']]);
    expect(runner.mostInFlight()).toBe(2);
  });

  it('gives each caller the outcome at its own position', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const outcomes = ['a', 'b', 'c'].map((id) => batcher.submit(enqueueRow(id)));
    await drain();
    await runner.statements[0]?.answer([inserted(1, 'a'), inserted(2, 'b'), inserted(3, 'c')]);
    expect(await Promise.all(outcomes)).toEqual([inserted(1, 'a'), inserted(2, 'b'), inserted(3, 'c')]);
  });
});

describe('repeated workflow IDs', () => {
  it('puts a repeated ID in the next statement and keeps the rows after it in the first', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const outcomes = ['a', 'b', 'a', 'c', 'a'].map((id) => batcher.submit(enqueueRow(id)));
    await drain();
    // Each statement's IDs are distinct; the repeats leave in their own statements, in order.
    expect(runner.ids()).toEqual([['a', 'b', 'c'], ['a'], ['a']]);
    for (const statement of runner.statements) await statement.answer();
    expect((await Promise.all(outcomes)).map((r) => r.n)).toEqual([1, 2, 1, 3, 1]);
  });

  it('holds the repeat until a slot frees when only one statement may run', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 1);
    batcher.submit(enqueueRow('a'));
    batcher.submit(enqueueRow('a'));
    await drain();
    expect(runner.ids()).toEqual([['a']]);
    await runner.statements[0]?.answer();
    expect(runner.ids()).toEqual([['a'], ['a']]);
  });
});

describe('limits', () => {
  it('waits while maxInFlight statements run, then sends everything that arrived as one statement', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 1);
    const first = batcher.submit(enqueueRow('a'));
    await drain();
    const waiting = ['b', 'c', 'd'].map((id) => batcher.submit(enqueueRow(id)));
    await drain();
    expect(runner.ids()).toEqual([['a']]);
    await runner.statements[0]?.answer();
    expect(runner.ids()).toEqual([['a'], ['b', 'c', 'd']]);
    await runner.statements[1]?.answer();
    expect((await first).workflow_uuid).toBe('a');
    expect((await Promise.all(waiting)).map((r) => r.workflow_uuid)).toEqual(['b', 'c', 'd']);
    expect(runner.mostInFlight()).toBe(1);
  });

  it('never runs more than maxInFlight statements at once', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 3, 500, 0);
    for (let i = 0; i < 6; i++) {
      batcher.submit(enqueueRow(`w${i}`));
      await drain();
    }
    expect(runner.ids()).toEqual([['w0'], ['w1'], ['w2']]);
    await runner.statements[1]?.answer();
    expect(runner.ids()).toEqual([['w0'], ['w1'], ['w2'], ['w3', 'w4', 'w5']]);
    expect(runner.mostInFlight()).toBe(3);
  });

  it('splits what is pending into statements of at most maxBatch rows, sent together up to maxInFlight', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 2, 2);
    const outcomes = ['a', 'b', 'c', 'd', 'e'].map((id) => batcher.submit(enqueueRow(id)));
    await drain();
    expect(runner.ids()).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    await runner.statements[0]?.answer();
    expect(runner.ids()[2]).toEqual(['e']);
    await runner.statements[1]?.answer();
    await runner.statements[2]?.answer();
    expect((await Promise.all(outcomes)).map((r) => r.workflow_uuid)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('defaults to statements of 500 rows, four at a time', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    for (let i = 0; i < 2100; i++) batcher.submit(enqueueRow(`w${i}`));
    await drain();
    expect(runner.ids().map((ids) => ids.length)).toEqual([500, 500, 500, 500]);
    expect(runner.ids()[3]?.at(-1)).toBe('w1999');
    await runner.statements[0]?.answer();
    expect(runner.ids()[4]).toEqual(Array.from({ length: 100 }, (_, i) => `w${2000 + i}`));
  });
});

describe('failures', () => {
  it('rejects every enqueue of a failed statement with its error, and only those', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 2, 2);
    const outcomes = ['a', 'b', 'c'].map((id) => watch(batcher.submit(enqueueRow(id))));
    await drain();
    const dropped = new Error('connection dropped');
    await runner.statements[0]?.fail(dropped);
    expect(outcomes.map((o) => o.error)).toEqual([dropped, dropped, undefined]);
    expect(outcomes[0]?.error).toBe(dropped);
    expect(outcomes[2]?.settled).toBe(false);
    await runner.statements[1]?.answer();
    expect(outcomes[2]).toEqual({ settled: true, value: inserted(1, 'c') });
  });

  it('rejects only the caller whose row the runner failed alone, and one whose row got no outcome', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run);
    const outcomes = ['a', 'b', 'c'].map((id) => watch(batcher.submit(enqueueRow(id))));
    await drain();
    const refused = new DriverError('invalid byte sequence', { sqlState: '22021' });
    await runner.statements[0]?.answer([inserted(1, 'a'), refused, undefined]);
    expect(outcomes[0]).toEqual({ settled: true, value: inserted(1, 'a') });
    expect(outcomes[1]?.error).toBe(refused);
    expect(outcomes[2]?.error).toMatchObject({ code: 'CORRUPT_ROW', message: expect.stringContaining('workflow c') });
  });

  it('frees the failed statement’s slot, so later enqueues still go out', async () => {
    const runner = heldRunner();
    const batcher = new EnqueueBatcher(runner.run, 1);
    const failed = watch(batcher.submit(enqueueRow('a')));
    await drain();
    const next = batcher.submit(enqueueRow('b'));
    await drain();
    expect(runner.ids()).toEqual([['a']]);
    await runner.statements[0]?.fail(new Error('refused'));
    expect(failed.error).toEqual(new Error('refused'));
    expect(runner.ids()).toEqual([['a'], ['b']]);
    await runner.statements[1]?.answer();
    expect((await next).workflow_uuid).toBe('b');
  });
});
