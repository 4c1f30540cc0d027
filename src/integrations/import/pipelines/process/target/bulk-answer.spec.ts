import { describe, expect, it } from 'vitest';
import { MAX_BULK_ANSWER_BYTES, MAX_REASON_CHARS, readBulkAnswer } from './bulk-answer.js';
import type { PostAnswer } from './json-poster.js';

const ok = (body: unknown, status = 200): PostAnswer => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  oversized: false,
});
const results = (...statuses: unknown[]) => ({ results: statuses.map((status) => ({ status })) });
describe('readBulkAnswer', () => {
  it('gives each record the meaning of its own status, in order', () => {
    const failures = readBulkAnswer(
      ok(results(201, 200, 503, 429, 408, 500, 422, 400, 409, 302)),
      10,
    );
    expect(failures.map((f) => f && [f.code, f.retriable])).toEqual([
      undefined,
      undefined,
      ['target-http-503', true],
      ['target-http-429', true],
      ['target-http-408', true],
      ['target-http-500', true],
      ['target-rejected', false],
      ['target-rejected', false],
      ['target-rejected', false],
      ['target-rejected', false],
    ]);
    expect(failures[2]?.message).toBe(
      'target service answered HTTP 503 for the record in a bulk request',
    );
  });

  it('ends a refused record’s message with the reason the service gave', () => {
    const failures = readBulkAnswer(
      ok({
        results: [
          { status: 422, error: 'amount must be positive' },
          { status: 503, message: 'busy' },
          { status: 201, message: 'created' },
          { status: 409 },
        ],
      }),
      4,
    );
    expect(failures.map((f) => f && [f.code, f.retriable, f.message])).toEqual([
      [
        'target-rejected',
        false,
        'target service answered HTTP 422 for the record in a bulk request: amount must be positive',
      ],
      [
        'target-http-503',
        true,
        'target service answered HTTP 503 for the record in a bulk request: busy',
      ],
      undefined,
      [
        'target-rejected',
        false,
        'target service answered HTTP 409 for the record in a bulk request',
      ],
    ]);
  });

  it.each([
    ['error before message', { error: 'the error', message: 'the message' }, ': the error'],
    [
      'message when error is no text',
      { error: { code: 7 }, message: 'the message' },
      ': the message',
    ],
    ['message when error is blank', { error: ' \n ', message: 'the message' }, ': the message'],
    ['nothing from a number', { error: 42 }, ''],
    ['nothing from null', { error: null, message: null }, ''],
    ['one line from several', { error: 'line one\r\n\tline\u0000two ' }, ': line one line two'],
  ])('takes as the reason %s', (_case, fields, ending) => {
    const [failure] = readBulkAnswer(ok({ results: [{ status: 400, ...fields }] }), 1);
    expect(failure?.message).toBe(
      `target service answered HTTP 400 for the record in a bulk request${ending}`,
    );
  });

  it(`keeps at most ${MAX_REASON_CHARS} characters of a reason, cut between characters`, () => {
    const prefix = 'target service answered HTTP 422 for the record in a bulk request: ';
    const exact = 'x'.repeat(MAX_REASON_CHARS);
    const long = '😀'.repeat(MAX_REASON_CHARS + 1);
    const [kept, cut] = readBulkAnswer(
      ok({
        results: [
          { status: 422, error: exact },
          { status: 422, error: long },
        ],
      }),
      2,
    );
    expect(kept?.message).toBe(prefix + exact);
    const reason = cut!.message.slice(prefix.length);
    expect(Array.from(reason)).toHaveLength(MAX_REASON_CHARS);
    expect(reason).toBe(`${'😀'.repeat(MAX_REASON_CHARS - 1)}…`);
  });

  it('takes any 2xx as the answer, and ignores what else a result says', () => {
    const answer = ok({ results: [{ status: 201, id: 'a1' }, { status: 204 }], took: 3 }, 207);
    expect(readBulkAnswer(answer, 2)).toEqual([undefined, undefined]);
  });

  it.each([
    [503, 'target-http-503', true],
    [429, 'target-http-429', true],
    [400, 'target-rejected', false],
    [413, 'target-rejected', false],
  ])('applies a %i to the whole request to every record', (status, code, retriable) => {
    const failures = readBulkAnswer(ok(results(201, 201, 201), status), 3);
    expect(failures).toHaveLength(3);
    for (const failure of failures) {
      expect(failure).toMatchObject({
        code,
        retriable,
        message: `target service answered HTTP ${status} to a bulk request of 3 records`,
      });
    }
  });

  it.each([
    ['not JSON', ok('<html>busy</html>'), 'an answer that is not JSON'],
    ['empty', ok(''), 'an answer that is not JSON'],
    ['no results', ok({ items: [{ status: 201 }] }), 'no "results" array'],
    ['results not an array', ok({ results: { status: 201 } }), 'no "results" array'],
    ['a JSON array', ok([{ status: 201 }, { status: 201 }]), 'no "results" array'],
    ['null', ok('null'), 'no "results" array'],
    ['too few results', ok(results(201)), 'a results array of 1'],
    ['too many results', ok(results(201, 201, 201)), 'a results array of 3'],
    ['a status as text', ok(results(201, '201')), 'results[1] with no HTTP status'],
    ['a fractional status', ok(results(201.5, 201)), 'results[0] with no HTTP status'],
    ['no status', ok({ results: [{ status: 201 }, {}] }), 'results[1] with no HTTP status'],
    ['a result not an object', ok({ results: [201, 201] }), 'results[0] with no HTTP status'],
    ['a status out of range', ok(results(201, 0)), 'results[1] with no HTTP status'],
    [
      'an oversized answer',
      { status: 200, body: '', oversized: true },
      `an answer longer than ${MAX_BULK_ANSWER_BYTES} bytes`,
    ],
  ])('fails every record as retriable on a 2xx with %s', (_case, answer, what) => {
    const failures = readBulkAnswer(answer, 2);
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure).toMatchObject({ code: 'target-bad-response', retriable: true });
      expect(failure?.message).toContain(
        `target service answered a bulk request of 2 records with ${what}`,
      );
    }
  });
});
