/**
 * Event files for `npm start`: a complete SQSEvent as Lambda delivers it (the files in `events/`), or a
 * JSON array of message bodies. Validated at the boundary, so a bad file stops the demo with one clear
 * message before anything starts.
 */
import { readdir, readFile } from 'node:fs/promises';
import * as z from 'zod';
import { isSqsAttributeText } from '../../src/erasure/accountClosureEvent.ts';

/** Which kind of erasure queue a file's messages go to. */
export type QueueKind = 'standard' | 'fifo';

/** One message to enqueue. */
export interface DemoMessage {
  /** The SQS message body, exactly as in the file. */
  body: string;
  /** FIFO only: the record's MessageGroupId. */
  groupId?: string;
}

export interface EventFile {
  /** How the output names the file. */
  name: string;
  queue: QueueKind;
  messages: DemoMessage[];
}

/** The file cannot be run: unreadable, not JSON, or not an SQSEvent / array of bodies. */
export class EventFileError extends Error {
  override readonly name = 'EventFileError';
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/** Records per file the demo accepts: enough for a real look, small enough to stay well inside its time bound. */
export const MAX_MESSAGES_PER_FILE = 1000;
/** Largest body the demo sends (SQS's classic 256 KiB message limit). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Characters SQS accepts in a message body: the same set as in a String attribute. */
export const sqsAcceptsCharacters = isSqsAttributeText;

const bodySchema = z
  .string()
  .min(1, 'SQS refuses an empty message body')
  .refine(
    (body) => Buffer.byteLength(body, 'utf8') <= MAX_BODY_BYTES,
    `a body may hold at most ${MAX_BODY_BYTES} bytes`,
  )
  .refine(
    sqsAcceptsCharacters,
    'the body holds a character SQS refuses (a control character or a lone surrogate)',
  );

const sqsRecordSchema = z.looseObject({
  body: bodySchema,
  attributes: z
    .looseObject({
      MessageGroupId: z
        .string()
        .regex(/^[!-~]{1,128}$/, 'MessageGroupId: 1–128 printable ASCII characters')
        .optional(),
    })
    .optional(),
  eventSourceARN: z.string().optional(),
});

const sqsEventSchema = z.looseObject({
  Records: z
    .array(sqsRecordSchema)
    .min(1, 'Records is empty')
    .max(MAX_MESSAGES_PER_FILE, `at most ${MAX_MESSAGES_PER_FILE} records per file`),
});

/** A body given as a JSON object is sent as its JSON text. */
const bodyListSchema = z
  .array(z.union([bodySchema, z.looseObject({}).transform((event) => JSON.stringify(event))]))
  .min(1, 'the array is empty')
  .max(MAX_MESSAGES_PER_FILE, `at most ${MAX_MESSAGES_PER_FILE} bodies per file`);

type SqsRecordInput = z.infer<typeof sqsRecordSchema>;

const isFifoRecord = (record: SqsRecordInput) =>
  record.attributes?.MessageGroupId !== undefined || (record.eventSourceARN?.endsWith('.fifo') ?? false);

function fromSqsEvent(file: string, records: SqsRecordInput[]): Omit<EventFile, 'name'> {
  if (!records.some(isFifoRecord))
    return { queue: 'standard', messages: records.map(({ body }) => ({ body })) };
  const messages = records.map((record, index) => {
    const groupId = record.attributes?.MessageGroupId;
    if (groupId === undefined) {
      throw new EventFileError(
        file,
        `Records[${index}] has no attributes.MessageGroupId, but the file is a FIFO batch (a record has a ` +
          'MessageGroupId or a .fifo eventSourceARN): every FIFO record needs its group',
      );
    }
    return { body: record.body, groupId };
  });
  return { queue: 'fifo', messages };
}

/**
 * Reads and validates one event file.
 * @example
 * const file = await readEventFile('/work/events/plain-batch.json', 'plain-batch.json');
 * file.queue; // 'standard'
 */
export async function readEventFile(path: string, name: string): Promise<EventFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EventFileError(
      name,
      code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new EventFileError(name, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (Array.isArray(json)) {
    const parsed = bodyListSchema.safeParse(json);
    if (!parsed.success)
      throw new EventFileError(
        name,
        `not a valid array of message bodies:\n${z.prettifyError(parsed.error)}`,
      );
    return { name, queue: 'standard', messages: parsed.data.map((body) => ({ body })) };
  }
  if (json === null || typeof json !== 'object') {
    throw new EventFileError(
      name,
      'expected an SQSEvent ({"Records": [{"body": "…"}, …]}) or a JSON array of message bodies',
    );
  }
  const parsed = sqsEventSchema.safeParse(json);
  if (!parsed.success)
    throw new EventFileError(name, `not a valid SQSEvent:\n${z.prettifyError(parsed.error)}`);
  return { name, ...fromSqsEvent(name, parsed.data.Records) };
}

/** Every `*.json` in `directory`, by name: the sample events `npm start` runs by default. */
export async function sampleEventPaths(directory: string): Promise<string[]> {
  const names = (await readdir(directory)).filter((entry) => entry.endsWith('.json')).sort();
  return names.map((entry) => `${directory}/${entry}`);
}
