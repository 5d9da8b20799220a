/**
 * The BUILT ingress bundle over real HTTP on loopback, behind the Function URL stand-in, with its real SDK
 * clients talking to the SQS and Secrets Manager stand-ins: what a DSR platform's webhook sees, and what
 * lands on the erasure queue.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSignedEvent } from '../../sim/aws/functionUrlServer.ts';
import { INVALID_EVENT_REASONS } from '../../src/erasure/accountClosureEvent.ts';
import { signatureFor } from '../../src/ingress/signature.ts';
import {
  CURRENT_KEY,
  type HttpAnswer,
  type IngressWorld,
  PREVIOUS_KEY,
  SIGNING_SECRET_NAME,
  startIngressWorld,
} from './ingressWorld.ts';

const now = () => Math.floor(Date.now() / 1000);
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const VALID = JSON.stringify({
  userId: 'user_42',
  requestId: 'dsr-2026-000123',
  occurredAt: '2026-11-25T10:00:00Z',
});

function expectRetryLater(answer: HttpAnswer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
  expect(answer.headers['content-type']).toBe('application/json');
}

/** Runs `act` and checks that no SendMessage reached SQS meanwhile. */
async function enqueuesNothing(world: IngressWorld, act: () => Promise<void>): Promise<void> {
  const before = world.sendCalls().length;
  await act();
  expect(world.sendCalls().length).toBe(before);
}

describe('ingress over HTTP (standard erasure queue)', () => {
  let world: IngressWorld;
  beforeAll(async () => {
    world = await startIngressWorld({ keys: [CURRENT_KEY, PREVIOUS_KEY] });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a good signature enqueues the body byte for byte and answers 202 with the ids', async () => {
    // Characters above U+FFFF are left out: the SQS stand-in (fauxqs) refuses them, real SQS does not.
    const bodies = [
      VALID,
      `{ "userId" : "José ☃",\n  "requestId": "dsr-ü-1", "unknown": [1, {"a": null}] }\n`,
      `\uFEFF{"userId":"bom_user"}`,
    ];
    for (const body of bodies) {
      const answer = await world.post(body);
      expect(answer.status, body).toBe(202);
      const { requestId, messageId } = answer.json() as { requestId: string; messageId: string };
      const [message, ...rest] = await world.drainQueue();
      expect(rest).toEqual([]);
      expect(message?.Body).toBe(body);
      expect(message?.MessageId).toBe(messageId);
      expect(message?.MessageAttributes ?? {}).toEqual({});
      expect(requestId).toBe(
        (JSON.parse(body.replace(/^\uFEFF/, '')) as { requestId?: string }).requestId ?? messageId,
      );
    }
  });

  it('postSignedEvent (for npm start) posts a sample body the way a DSR platform would', async () => {
    const answer = await postSignedEvent(world.server.url, VALID, CURRENT_KEY);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ requestId: 'dsr-2026-000123', messageId: expect.any(String) });
    expect((await postSignedEvent(`${world.server.url}/`, VALID, 'wrong-key')).status).toBe(401);
    expect((await world.drainQueue()).map((message) => message.Body)).toEqual([VALID]);
  });

  it('answers the messageId as the requestId when the event has none (the erasure function does the same)', async () => {
    const answer = await world.post('{"userId":"user_43"}');
    expect(answer.status).toBe(202);
    const { requestId, messageId } = answer.json() as { requestId: string; messageId: string };
    expect(requestId).toBe(messageId);
    await world.drainQueue();
  });

  it('accepts the previous key during a rotation, and a header listing several values', async () => {
    expect((await world.post(VALID, { key: PREVIOUS_KEY })).status).toBe(202);
    const timestamp = String(now());
    const signature = ` v0=legacy , v1=${signatureFor('retired-key', timestamp, VALID)},v1=${signatureFor(PREVIOUS_KEY, timestamp, VALID).toUpperCase()}`;
    expect((await world.post(VALID, { timestamp, signature })).status).toBe(202);
    expect(await world.drainQueue()).toHaveLength(2);
  });

  it('tolerates a trailing / and ignores the query string', async () => {
    expect((await world.post(VALID, { path: '/erasures/' })).status).toBe(202);
    expect((await world.post(VALID, { path: '/erasures?source=dsr&x=%20' })).status).toBe(202);
    expect(await world.drainQueue()).toHaveLength(2);
  });

  it('401 for a wrong, missing, stale, malformed or repeated signature, with one answer, enqueuing nothing', async () => {
    const timestamp = String(now());
    const requests: [string, () => Promise<HttpAnswer>][] = [
      ['wrong key', () => world.post(VALID, { key: 'not-a-signing-key' })],
      [
        'signed other bytes',
        () =>
          world.post(VALID, {
            signature: `v1=${signatureFor(CURRENT_KEY, timestamp, `${VALID} `)}`,
            timestamp,
          }),
      ],
      ['no headers', () => world.post(VALID, { key: null })],
      ['no timestamp', () => world.post(VALID, { omit: ['x-chat-erasure-timestamp'] })],
      ['no signature', () => world.post(VALID, { omit: ['x-chat-erasure-signature'] })],
      ['301 s old', () => world.post(VALID, { timestamp: String(now() - 301) })],
      ['301 s ahead', () => world.post(VALID, { timestamp: String(now() + 301) })],
      ['milliseconds', () => world.post(VALID, { timestamp: String(Date.now()) })],
      ['malformed value', () => world.post(VALID, { signature: 'v1=not-hex' })],
      [
        'malformed list',
        () =>
          world.post(VALID, { signature: `v1=${signatureFor(CURRENT_KEY, timestamp, VALID)},`, timestamp }),
      ],
      [
        'other scheme only',
        () =>
          world.post(VALID, { signature: `v2=${signatureFor(CURRENT_KEY, timestamp, VALID)}`, timestamp }),
      ],
      [
        'sha256= prefix',
        () =>
          world.post(VALID, {
            signature: `sha256=${signatureFor(CURRENT_KEY, timestamp, VALID)}`,
            timestamp,
          }),
      ],
      [
        'repeated timestamp header',
        () => world.post(VALID, { timestamp, extraHeaders: [['x-chat-erasure-timestamp', timestamp]] }),
      ],
      ['invalid event, bad signature', () => world.post('{"userId":""}', { key: 'nope' })],
    ];
    await enqueuesNothing(world, async () => {
      for (const [what, send] of requests) {
        const answer = await send();
        expect(answer.status, what).toBe(401);
        expect(answer.json(), what).toEqual({
          error: 'unauthorized',
          message: 'the request signature is not valid',
        });
      }
    });
  });

  it('a signature within 300 s either way is accepted', async () => {
    expect((await world.post(VALID, { timestamp: String(now() - 290) })).status).toBe(202);
    expect((await world.post(VALID, { timestamp: String(now() + 290) })).status).toBe(202);
    await world.drainQueue();
  });

  it('404 for other paths, 405 (with Allow) for other methods, 415 for other content types, enqueuing nothing', async () => {
    await enqueuesNothing(world, async () => {
      for (const path of [
        '/',
        '/erasure',
        '/erasures/1',
        '/erasures//',
        '/ERASURES',
        '/v1/erasures?x=/erasures',
      ]) {
        expect((await world.post(VALID, { path })).status, path).toBe(404);
      }
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const answer = await world.post(VALID, { method });
        expect(answer.status, method).toBe(405);
        expect(answer.headers.allow).toBe('POST');
      }
      for (const contentType of [
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/jsonl',
      ]) {
        expect((await world.post(VALID, { contentType })).status, String(contentType)).toBe(415);
      }
    });
    for (const contentType of [
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'Application/Json; Charset="utf-8"',
    ]) {
      expect((await world.post(VALID, { contentType })).status, contentType).toBe(202);
    }
    await world.drainQueue();
  });

  it('413 above 16 KiB (before any signature check), 16 KiB itself accepted', async () => {
    const padded = (size: number) => `${VALID}${' '.repeat(size - VALID.length)}`;
    await enqueuesNothing(world, async () => {
      expect((await world.post(padded(16 * 1024 + 1))).status).toBe(413);
      expect((await world.post(padded(16 * 1024 + 1), { key: null, contentType: 'text/plain' })).status).toBe(
        413,
      );
      expect((await world.post(Buffer.alloc(100_000, 0x20))).status).toBe(413);
    });
    const answer = await world.post(padded(16 * 1024));
    expect(answer.status).toBe(202);
    expect((await world.drainQueue())[0]?.Body).toBe(padded(16 * 1024));
  });

  it('decodes base64 bodies (as Function URLs deliver e.g. a non-UTF-8 charset): size, signature and message use the bytes', async () => {
    const contentType = 'application/json; charset=iso-8859-1';
    const invocations = world.server.invocations.length;
    const answer = await world.post(VALID, { contentType });
    expect(answer.status).toBe(202);
    expect(world.server.invocations[invocations]?.event.isBase64Encoded).toBe(true);
    expect((await world.drainQueue())[0]?.Body).toBe(VALID);

    const padded = (size: number) => `${VALID}${' '.repeat(size - VALID.length)}`;
    // 16 KiB decoded is ~21.8 KiB of base64: still accepted; one byte more is not.
    expect((await world.post(padded(16 * 1024), { contentType })).status).toBe(202);
    await enqueuesNothing(world, async () => {
      expect((await world.post(padded(16 * 1024 + 1), { contentType })).status).toBe(413);
      // Bytes that are not UTF-8 cannot be an event (RFC 8259), and cannot be forwarded as they are.
      const latin1 = Buffer.from('{"userId":"Jos\xe9"}', 'latin1');
      const refused = await world.post(latin1, { contentType });
      expect(refused.status).toBe(400);
      expect(refused.json()).toEqual({ error: 'invalid-event', message: INVALID_EVENT_REASONS.bodyNotJson });
    });
    await world.drainQueue();
  });

  it('400 for an empty body and for every reason the erasure function refuses an event, enqueuing nothing', async () => {
    const cases: [string | Buffer, string][] = [
      ['', INVALID_EVENT_REASONS.bodyNotJson],
      ['{"userId": "user_42"', INVALID_EVENT_REASONS.bodyNotJson],
      [
        JSON.stringify({ Type: 'Notification', Message: '{not json' }),
        INVALID_EVENT_REASONS.snsMessageNotJson,
      ],
      ['[{"userId":"user_42"}]', INVALID_EVENT_REASONS.eventNotObject],
      [
        JSON.stringify({ 'detail-type': 'Account Closed', detail: { user: 'x' } }),
        INVALID_EVENT_REASONS.userIdMissing,
      ],
      [JSON.stringify({ userId: ['user_42'] }), INVALID_EVENT_REASONS.userIdNotString],
      [JSON.stringify({ userId: '' }), INVALID_EVENT_REASONS.userIdEmpty],
      ['{"userId":"user\\udc00"}', INVALID_EVENT_REASONS.userIdNotUnicode],
      [JSON.stringify({ userId: 'u'.repeat(33) }), INVALID_EVENT_REASONS.userIdTooLong],
      [JSON.stringify({ userId: 'user\u008542' }), INVALID_EVENT_REASONS.userIdControlCharacter],
    ];
    await enqueuesNothing(world, async () => {
      for (const [body, message] of cases) {
        const answer = await world.post(body);
        expect(answer.status, String(body)).toBe(400);
        expect(answer.json(), String(body)).toEqual({ error: 'invalid-event', message });
      }
    });
  });

  it('checks in DESIGN order: path, method, size, type, keys, signature, event', async () => {
    const big = 'x'.repeat(17_000);
    await enqueuesNothing(world, async () => {
      expect(
        (await world.post(big, { path: '/nope', method: 'GET', contentType: 'text/plain', key: 'bad' }))
          .status,
      ).toBe(404);
      expect((await world.post(big, { method: 'GET', contentType: 'text/plain', key: 'bad' })).status).toBe(
        405,
      );
      expect((await world.post(big, { contentType: 'text/plain', key: 'bad' })).status).toBe(413);
      expect((await world.post('{}', { contentType: 'text/plain', key: 'bad' })).status).toBe(415);
      expect((await world.post('{}', { key: 'bad' })).status).toBe(401);
      expect((await world.post('{}')).status).toBe(400);
    });
  });

  it('caches the keys for SECRET_MAX_AGE_SECONDS: one read for many requests, and a Secrets Manager outage goes unnoticed meanwhile', async () => {
    const reads = world.secrets.requestCount(SIGNING_SECRET_NAME);
    world.secrets.setOutage(true, 'error');
    try {
      for (let i = 0; i < 3; i += 1) expect((await world.post(VALID)).status).toBe(202);
    } finally {
      world.secrets.setOutage(false);
    }
    expect(world.secrets.requestCount(SIGNING_SECRET_NAME)).toBe(reads);
    expect(reads).toBe(1);
    await world.drainQueue();
  });

  it('logs one "ingress" line per request with its status, never the signature, a key or the body', async () => {
    const marker = `BODY-${Date.now()}`;
    const body = JSON.stringify({ userId: 'log_user', requestId: 'dsr-log', note: marker });
    const timestamp = String(now());
    const signature = `v1=${signatureFor(CURRENT_KEY, timestamp, body)}`;
    const lines = world.logRecords().length;
    await world.post(body, { timestamp, signature });
    await world.post(body, { key: 'bad' });
    await world.drainQueue();
    const records = world.logRecords().slice(lines);
    expect(records.map((r) => [r.message, r.status])).toEqual([
      ['ingress', 202],
      ['ingress', 401],
    ]);
    expect(records[0]).toMatchObject({ requestId: 'dsr-log', user: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const everything = world.logs.join('\n');
    for (const secret of [CURRENT_KEY, PREVIOUS_KEY, signature.slice(3), marker, 'log_user']) {
      expect(everything).not.toContain(secret);
    }
    expect(world.logRecords().every((r) => r.message === 'ingress' && typeof r.status === 'number')).toBe(
      true,
    );
  });
});

describe('ingress over HTTP: rotation and outages (keys not cached)', () => {
  let world: IngressWorld;
  beforeAll(async () => {
    world = await startIngressWorld({ env: { SECRET_MAX_AGE_SECONDS: '0' } });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('rotates keys without downtime: add the new key first, retire the old one last', async () => {
    const next = 'ingress-next-key-93c1d7a5e0b2f846';
    expect((await world.post(VALID, { key: next })).status).toBe(401);
    world.setKeys([next, CURRENT_KEY]);
    expect((await world.post(VALID, { key: CURRENT_KEY })).status).toBe(202);
    expect((await world.post(VALID, { key: next })).status).toBe(202);
    world.setKeys([next]);
    expect((await world.post(VALID, { key: CURRENT_KEY })).status).toBe(401);
    expect((await world.post(VALID, { key: next })).status).toBe(202);
    expect(await world.drainQueue()).toHaveLength(3);
    world.setKeys([CURRENT_KEY]);
  });

  it('503 with Retry-After while Secrets Manager is down or the secret is malformed; nothing enqueued', async () => {
    await enqueuesNothing(world, async () => {
      for (const mode of ['error', 'reset'] as const) {
        world.secrets.setOutage(true, mode);
        try {
          expectRetryLater(await world.post(VALID));
        } finally {
          world.secrets.setOutage(false);
        }
      }
      for (const raw of ['not json', '{"signingKeys":[]}', '{"signingKeys":[""]}', '{"signingKey":"k"}']) {
        world.setKeys({ raw });
        const answer = await world.post(VALID);
        expectRetryLater(answer);
        expect(answer.json()).toEqual({
          error: 'unavailable',
          message: 'the signing keys cannot be read; retry later',
        });
      }
      world.secrets.deleteSecret(SIGNING_SECRET_NAME);
      expectRetryLater(await world.post(VALID));
    });
    world.setKeys([CURRENT_KEY]);
    expect((await world.post(VALID)).status).toBe(202);
    await world.drainQueue();
  });

  it('503 with Retry-After while SQS is unavailable (5xx, throttling, reset); 500 when SQS refuses (access, KMS)', async () => {
    const sendMessage = ({ action }: { action: string }) => action === 'SendMessage';
    const cases = [
      [{ mode: 'error', status: 500, code: 'InternalError' }, 503],
      [{ mode: 'error', status: 400, code: 'ThrottlingException' }, 503],
      [{ mode: 'reset' }, 503],
      [{ mode: 'error', status: 403, code: 'AccessDenied' }, 500],
      [{ mode: 'error', status: 400, code: 'KmsAccessDenied' }, 500],
    ] as const;
    for (const [failure, status] of cases) {
      const injected = world.sqs.injectFailure(sendMessage, failure);
      try {
        const answer = await world.post(VALID);
        expect(answer.status, JSON.stringify(failure)).toBe(status);
        if (status === 503) expectRetryLater(answer);
        else expect(answer.headers['retry-after']).toBeUndefined();
        expect(injected.hits).toBeGreaterThanOrEqual(1);
      } finally {
        injected.remove();
      }
    }
    expect(await world.drainQueue()).toEqual([]);
    expect((await world.post(VALID)).status).toBe(202);
    await world.drainQueue();
  });
});

describe('ingress over HTTP: stalled dependencies (1.6 s function timeout)', () => {
  let world: IngressWorld;
  beforeAll(async () => {
    world = await startIngressWorld({ env: { SECRET_MAX_AGE_SECONDS: '0' }, timeoutMs: 1600 });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('answers 503 before the function timeout when SQS or Secrets Manager never answers; nothing enqueued', async () => {
    const injected = world.sqs.injectFailure(({ action }) => action === 'SendMessage', { mode: 'hang' });
    try {
      const started = performance.now();
      expectRetryLater(await world.post(VALID));
      expect(performance.now() - started).toBeLessThan(1600);
    } finally {
      injected.remove();
    }
    world.secrets.setOutage(true, 'hang');
    try {
      const started = performance.now();
      expectRetryLater(await world.post(VALID));
      expect(performance.now() - started).toBeLessThan(1600);
    } finally {
      world.secrets.setOutage(false);
    }
    expect(await world.drainQueue()).toEqual([]);
  });
});

describe('ingress over HTTP (FIFO erasure queue)', () => {
  let world: IngressWorld;
  beforeAll(async () => {
    world = await startIngressWorld({ fifo: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('sends MessageGroupId = SHA-256 hex of the userId and MessageDeduplicationId = SHA-256 hex of the body', async () => {
    const sns = JSON.stringify({
      Type: 'Notification',
      Message: JSON.stringify({ userId: 'sns_user', requestId: 'sns-1' }),
    });
    for (const [body, userId] of [
      [VALID, 'user_42'],
      [sns, 'sns_user'],
    ] as const) {
      const answer = await world.post(body);
      expect(answer.status).toBe(202);
      const [message, ...rest] = await world.drainQueue();
      expect(rest).toEqual([]);
      expect(message?.Body).toBe(body);
      expect(message?.Attributes?.MessageGroupId).toBe(sha256(userId));
      expect(message?.Attributes?.MessageDeduplicationId).toBe(sha256(body));
    }
  });

  it('a resent body is deduplicated by SQS: both requests answer 202, the queue holds it once', async () => {
    const body = JSON.stringify({ userId: 'user_dup', requestId: 'dsr-dup' });
    expect((await world.post(body)).status).toBe(202);
    expect((await world.post(body)).status).toBe(202);
    expect(await world.drainQueue()).toHaveLength(1);
  });
});
