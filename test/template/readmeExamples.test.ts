/**
 * The examples README.md gives integrators must work with what the function really sends: the EventBridge
 * rule pattern matches the receipts' source and detail types, and the Step Functions state passes the task
 * token in the field the event parser reads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECEIPT_SOURCE } from '../../src/aws/eventBridgeReceipts.ts';
import { parseAccountClosure } from '../../src/erasure/accountClosureEvent.ts';
import { signatureFor } from '../../src/ingress/signature.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The JSON code blocks of README.md, parsed. */
const jsonBlocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((match) =>
  JSON.parse(match[1] as string),
);

describe('README examples', () => {
  it('gives an EventBridge rule pattern that matches both receipt detail types', () => {
    const pattern = jsonBlocks.find((block) => 'detail-type' in block && 'source' in block);
    expect(pattern?.source).toEqual([RECEIPT_SOURCE]);
    expect([...(pattern?.['detail-type'] ?? [])].sort()).toEqual([
      'Chat Erasure Completed',
      'Chat Erasure Failed',
    ]);
  });

  it('gives a state machine whose message carries the task token where the function reads it', () => {
    const machine = jsonBlocks.find((block) => 'States' in block);
    const task = machine?.States[machine.StartAt];
    expect(task.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
    expect(task.Parameters.MessageBody['taskToken.$']).toBe('$$.Task.Token');
    // What Step Functions sends once it filled the paths in:
    const body = JSON.stringify({ userId: 'user_42', requestId: 'dsr-1', taskToken: 'AQB8AAAA-token' });
    expect(parseAccountClosure(body, { messageId: 'm' })).toMatchObject({
      valid: true,
      userId: 'user_42',
      taskToken: 'AQB8AAAA-token',
    });
    expect(task.Catch[0].ErrorEquals).toEqual(['ChatErasure.invalid-event']);
  });

  it('shows the documented event and secret shapes', () => {
    expect(jsonBlocks).toContainEqual({
      userId: 'user_42',
      requestId: 'dsr-2026-000123',
      occurredAt: '2026-11-25T10:00:00Z',
    });
    expect(jsonBlocks).toContainEqual({
      sdkAppId: 1400000000,
      adminIdentifier: 'administrator',
      secretKey: '…',
    });
  });
});

describe('README webhook example', () => {
  it('gives a signature test vector the ingress computes', () => {
    const vector =
      /key `([^`]+)`, timestamp `(\d+)`, body \(no trailing newline\)\s+`([^`]+)` →\s+`x-chat-erasure-signature: v1=([0-9a-f]{64})`/.exec(
        readme,
      );
    expect(vector).not.toBeNull();
    const [, key, timestamp, body, signature] = vector as unknown as [string, string, string, string, string];
    expect(signatureFor(key, timestamp, Buffer.from(body, 'utf8'))).toBe(signature);
  });
});
