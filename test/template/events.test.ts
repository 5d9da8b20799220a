/**
 * The sample events in events/ are exact Lambda SQS events: the record shape the SQS event source delivers,
 * real MD5s, consistent queue ARNs and FIFO attributes, unique ids. And each file shows what events/README.md
 * says it shows, read by the function's own event parser.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { sqsAcceptsCharacters } from '../../scripts/start/eventFiles.ts';
import {
  type AccountClosureParse,
  INVALID_EVENT_REASONS,
  parseAccountClosure,
} from '../../src/erasure/accountClosureEvent.ts';

const EVENTS_DIR = new URL('../../events/', import.meta.url);
const files = readdirSync(EVENTS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8'));

const digits = z.string().regex(/^[0-9]+$/);
const standardAttributes = {
  ApproximateReceiveCount: z.string().regex(/^[1-9][0-9]*$/),
  SentTimestamp: digits,
  SenderId: z.string().min(1),
  ApproximateFirstReceiveTimestamp: digits,
};
const fifoAttributes = {
  ...standardAttributes,
  SequenceNumber: digits,
  MessageGroupId: z.string().min(1).max(128),
  MessageDeduplicationId: z.string().min(1).max(128),
};
const recordShape = {
  messageId: z.uuid(),
  receiptHandle: z.string().min(1),
  body: z.string().min(1),
  messageAttributes: z.strictObject({}),
  md5OfBody: z.string().regex(/^[0-9a-f]{32}$/),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/),
};
/** Exactly the keys the Lambda SQS event source sends; a FIFO record has three more attributes. */
const sqsRecord = z.union([
  z.strictObject({ ...recordShape, attributes: z.strictObject(standardAttributes) }),
  z.strictObject({ ...recordShape, attributes: z.strictObject(fifoAttributes) }),
]);
const sqsEvent = z.strictObject({ Records: z.array(sqsRecord).min(1).max(10) });
type SqsRecord = z.infer<typeof sqsRecord>;

const QUEUE_ARN = /^arn:aws:sqs:([a-z0-9-]+):([0-9]{12}):([A-Za-z0-9_-]{1,75}(\.fifo)?)$/;
const isFifoRecord = (record: SqsRecord) => 'MessageGroupId' in record.attributes;
const records = (name: string): SqsRecord[] => sqsEvent.parse(load(name)).Records;

const ADMIN = 'administrator';
const parseAll = (name: string): AccountClosureParse[] =>
  records(name).map((r) =>
    parseAccountClosure(r.body, { messageId: r.messageId, protectedUserIds: new Set([ADMIN]) }),
  );

describe('events/', () => {
  it('holds the documented sample files, each listed in events/README.md', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'eventbridge-wrapped.json',
        'fifo-batch.json',
        'invalid-records.json',
        'plain-batch.json',
        'sns-wrapped.json',
      ]),
    );
    const readme = readFileSync(new URL('README.md', EVENTS_DIR), 'utf8');
    const listed = [...readme.matchAll(/^- `([^`]+\.json)`/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(files);
  });

  describe.each(files)('%s', (name) => {
    it('is an SQS event with the exact Lambda record shape', () => {
      expect(() => sqsEvent.parse(load(name))).not.toThrow();
    });

    it('carries the real MD5 of each body, and bodies SQS could have accepted', () => {
      for (const record of records(name)) {
        expect(record.md5OfBody, record.messageId).toBe(
          createHash('md5').update(record.body, 'utf8').digest('hex'),
        );
        expect(sqsAcceptsCharacters(record.body), record.messageId).toBe(true);
        expect(Buffer.byteLength(record.body, 'utf8')).toBeLessThanOrEqual(262_144);
      }
    });

    it('comes from one queue whose ARN agrees with the region and with FIFO-ness', () => {
      const batch = records(name);
      expect(new Set(batch.map((r) => r.eventSourceARN)).size).toBe(1);
      for (const record of batch) {
        const arn = QUEUE_ARN.exec(record.eventSourceARN);
        expect(arn, record.eventSourceARN).not.toBeNull();
        expect(arn?.[1]).toBe(record.awsRegion);
        expect(arn?.[4] === '.fifo', record.messageId).toBe(isFifoRecord(record));
      }
    });

    it('has receive timestamps no earlier than the send', () => {
      for (const record of records(name)) {
        expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
          Number(record.attributes.SentTimestamp),
        );
      }
    });
  });

  it('uses every messageId and receiptHandle once across all files', () => {
    const all = files.flatMap(records);
    expect(new Set(all.map((r) => r.messageId)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.receiptHandle)).size).toBe(all.length);
  });

  it('plain-batch.json: plain events for distinct demo users', () => {
    const parsed = parseAll('plain-batch.json');
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    const users = parsed.map((p) => (p.valid && p.envelope === 'plain' ? p.userId : undefined));
    expect(users.every((u) => u?.startsWith('demo_'))).toBe(true);
    expect(new Set(users).size).toBe(users.length);
  });

  it.each([
    ['sns-wrapped.json', 'sns'],
    ['eventbridge-wrapped.json', 'eventbridge'],
  ] as const)('%s: every event arrives in the %s envelope', (name, envelope) => {
    for (const parsed of parseAll(name)) {
      expect(parsed).toMatchObject({ valid: true, envelope, userId: expect.stringMatching(/^demo_/) });
    }
  });

  it('fifo-batch.json: two message groups, each in increasing sequence order, deduplicated by content', () => {
    const batch = records('fifo-batch.json');
    const groups = new Map<string, bigint[]>();
    for (const record of batch) {
      expect(isFifoRecord(record)).toBe(true);
      const { MessageGroupId, SequenceNumber, MessageDeduplicationId } = record.attributes as z.infer<
        z.ZodObject<typeof fifoAttributes>
      >;
      groups.set(MessageGroupId, [...(groups.get(MessageGroupId) ?? []), BigInt(SequenceNumber)]);
      expect(MessageDeduplicationId).toBe(createHash('sha256').update(record.body, 'utf8').digest('hex'));
    }
    expect(groups.size).toBe(2);
    for (const sequence of groups.values()) {
      expect(sequence.length).toBeGreaterThanOrEqual(2);
      expect([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequence);
    }
    expect(parseAll('fifo-batch.json').every((p) => p.valid)).toBe(true);
  });

  it('invalid-records.json: one valid record and one of each kind of invalid event', () => {
    const parsed = parseAll('invalid-records.json');
    expect(parsed.filter((p) => p.valid)).toHaveLength(1);
    const reasons = parsed.flatMap((p) => (p.valid ? [] : [p.reason]));
    const r = INVALID_EVENT_REASONS;
    expect(reasons).toEqual([
      r.bodyNotJson,
      r.snsMessageNotJson,
      r.eventNotObject,
      r.userIdMissing,
      r.userIdNotString,
      r.userIdEmpty,
      r.userIdTooLong,
      r.userIdControlCharacter,
      r.userIdNotUnicode,
    ]);
  });
});
