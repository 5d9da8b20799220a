/**
 * Invariants of template.yaml (SAM). SAM CLI and CloudFormation cannot run here, so these tests pin what
 * DESIGN.md and AWS's documented limits require of the template: an edit that breaks one fails `npm test`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/configuration.ts';
import {
  danglingReferences,
  isObject,
  type Json,
  parseCloudFormationYaml,
  resourceDependencyCycle,
} from './cloudFormation.ts';

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const template = parseCloudFormationYaml(read('../../template.yaml'));
const buildScript = read('../../scripts/lambdaBuildOptions.mjs');

// DESIGN.md "Environment": the only names the function reads (copied: tests must not read /work/shared).
const DESIGN_VARIABLES = [
  'SECRET_ID',
  'DLQ_URL',
  'CHAT_REGION',
  'CHAT_API_ENDPOINT',
  'CALL_BUDGET_PER_SECOND',
  'MAX_CONCURRENCY',
  'MAX_RECEIVES',
  'CHAT_TIMEOUT_MS',
  'USERSIG_TTL_SECONDS',
  'SECRET_MAX_AGE_SECONDS',
  'LOG_USER_ID',
  'PROTECTED_USER_IDS',
  'ERASURE_STEPS',
  'GROUP_OWNER_POLICY',
  'PROFILE_CUSTOM_TAGS',
  'CALL_BUDGETS',
  'RECEIPT_EVENT_BUS',
  'RECEIPT_USER_ID',
];
const RUNTIME_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];
const CHAT_REGIONS = ['china', 'singapore', 'seoul', 'tokyo', 'frankfurt', 'silicon-valley', 'jakarta'];
// CloudWatch Logs accepts only these retention periods (days).
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const CHAT_TIMEOUT_MS_DEFAULT = 5000;
const DEADLINE_MARGIN_MS = 1000;

const ref = (name: string) => ({ Ref: name });
/** The receipt bus's ARN as the template spells it for Fn::Sub. */
const RECEIPT_BUS_ARN =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
  'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${ReceiptEventBusName}';
const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
const NO_VALUE = ref('AWS::NoValue');

function obj(value: Json | undefined, what: string): { [key: string]: Json } {
  if (!isObject(value)) throw new Error(`${what} is not a mapping`);
  return value;
}
function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
const root = obj(template, 'template');
const sectionOf = (name: string) => obj(root[name], name);
const resource = (name: string) => obj(sectionOf('Resources')[name], `resource ${name}`);
const props = (name: string) => obj(resource(name).Properties, `${name}.Properties`);
const parameter = (name: string) => obj(sectionOf('Parameters')[name], `parameter ${name}`);

/** The function's properties as SAM sees them: Globals.Function under the resource's own. */
function functionProps(): { [key: string]: Json } {
  const globals = obj(obj(root.Globals, 'Globals').Function, 'Globals.Function');
  const own = props('ErasureFunction');
  const variables = {
    ...obj(obj(globals.Environment, 'Globals env').Variables, 'Globals variables'),
    ...obj(obj(own.Environment, 'function env').Variables, 'function variables'),
  };
  return { ...globals, ...own, Environment: { Variables: variables } };
}
const variables = () => obj(obj(functionProps().Environment, 'Environment').Variables, 'Variables');
const sqsEvent = () => {
  const events = obj(props('ErasureFunction').Events, 'Events');
  const sqs = Object.values(events).filter((e) => isObject(e) && e.Type === 'SQS');
  expect(sqs).toHaveLength(1);
  return obj(obj(sqs[0], 'SQS event').Properties, 'SQS event properties');
};

/** Both branches of a `Fn::If` whose result is a list item; AWS::NoValue drops out. */
function ifBranches(item: Json): Json[] {
  if (isObject(item) && Array.isArray(item['Fn::If'])) {
    return item['Fn::If'].slice(1).filter((b) => JSON.stringify(b) !== JSON.stringify(NO_VALUE));
  }
  return [item];
}
interface Statement {
  Effect: string;
  actions: string[];
  resources: Json[];
  source: string;
}
function statementsOf(document: Json | undefined, source: string): Statement[] {
  const doc = obj(document, `${source} policy document`);
  return list(doc.Statement)
    .flatMap(ifBranches)
    .map((s) => {
      const statement = obj(s, `${source} statement`);
      return {
        Effect: String(statement.Effect),
        actions: list(statement.Action).map(String),
        resources: list(statement.Resource),
        source,
      };
    });
}
const functionPolicies = () => list(props('ErasureFunction').Policies).flatMap(ifBranches);
const inlineStatements = () =>
  functionPolicies()
    .filter((p) => isObject(p) && 'Statement' in p)
    .flatMap((p) => statementsOf(p, 'function policy'));
const boundaryStatements = () =>
  statementsOf(props('ErasureFunctionPermissionsBoundary').PolicyDocument, 'permissions boundary');

function findAlarm(namespace: string, metric: string): { [key: string]: Json } {
  const alarms = Object.keys(sectionOf('Resources'))
    .filter((name) => resource(name).Type === 'AWS::CloudWatch::Alarm')
    .map(props)
    .filter((p) => p.Namespace === namespace && p.MetricName === metric);
  expect(alarms, `${namespace} ${metric} alarm`).toHaveLength(1);
  return alarms[0] as { [key: string]: Json };
}

/** A value from scripts/lambdaBuildOptions.mjs, e.g. `target: 'node24'`. */
function buildOption(name: string): string {
  const match = new RegExp(`\\b${name}:\\s*(['"])(.*?)\\1`).exec(buildScript);
  if (!match?.[2]) throw new Error(`scripts/lambdaBuildOptions.mjs has no ${name} option`);
  return match[2];
}

describe('template helpers', () => {
  it('maps CloudFormation short forms to their long forms', () => {
    expect(
      parseCloudFormationYaml(
        [
          'a: !Ref P',
          'b: !GetAtt Q.Arn',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
          'c: !Sub "${AWS::Region}"',
          'd: !If [C, !Ref X, !Ref AWS::NoValue]',
        ].join('\n'),
      ),
    ).toEqual({
      a: ref('P'),
      b: getAtt('Q', 'Arn'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
      c: { 'Fn::Sub': '${AWS::Region}' },
      d: { 'Fn::If': ['C', ref('X'), NO_VALUE] },
    });
    expect(() => parseCloudFormationYaml('a: !NotATag x')).toThrow(/Unresolved tag/);
  });

  it('finds dangling references of every kind and a resource dependency cycle', () => {
    const broken = parseCloudFormationYaml(`
Resources:
  A:
    Type: T
    Condition: Missing
    Properties:
      X: !Ref Nope
      Y: !GetAtt Gone.Arn
      Z: !Sub '\${AWS::Region}-\${Absent}-\${Local}'
      W: !Sub ['\${Local}', { Local: !Ref AWS::StackName }]
      V: !FindInMap [NoMap, k, v]
      U: !GetAtt B.Arn
  B:
    Type: T
    Properties:
      X: !Sub '\${A.Arn}'
`);
    expect(danglingReferences(broken).map((r) => `${r.kind}:${r.target}`)).toEqual([
      'Condition:Missing',
      'Ref:Nope',
      'GetAtt:Gone',
      'Sub:Absent',
      'Sub:Local',
      'FindInMap:NoMap',
    ]);
    expect(resourceDependencyCycle(broken)).toEqual(['A', 'B', 'A']);
  });
});

describe('template.yaml', () => {
  it('is a SAM template whose references all resolve and whose resources form no cycle', () => {
    expect(root.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(root.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(danglingReferences(template)).toEqual([]);
    expect(resourceDependencyCycle(template)).toBeUndefined();
  });

  describe('parameters', () => {
    it('declares what a deployer chooses, with defaults that satisfy their own constraints', () => {
      const expected: Record<string, Json | undefined> = {
        SecretArn: undefined,
        SecretKmsKeyArn: '',
        ChatRegion: undefined,
        CallBudgetPerSecond: 200,
        MaxConcurrency: 2,
        MaxReceives: 5,
        BatchSize: 1000,
        LogUserId: 'pseudonym',
        ProtectedUserIds: '',
        ErasureSteps: 'friends',
        GroupOwnerPolicy: 'transfer',
        ProfileCustomTags: '',
        CallBudgets: '',
        ReceiptEventBusName: '',
        ReceiptUserId: 'pseudonym',
        // The webhook ingress's own parameters (test/template/ingressTemplate.test.ts checks its resources).
        IngressEnabled: 'false',
        IngressSecretArn: '',
        AlarmTopicArn: '',
        OldestMessageAlarmSeconds: 3600,
        LogRetentionDays: 90,
      };
      expect(Object.keys(sectionOf('Parameters')).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, def] of Object.entries(expected)) {
        const p = parameter(name);
        expect(p.Default, name).toEqual(def);
        if (def === undefined) continue;
        if (p.AllowedValues !== undefined) expect(list(p.AllowedValues), name).toContainEqual(def);
        if (p.MinValue !== undefined) expect(Number(def), name).toBeGreaterThanOrEqual(Number(p.MinValue));
        if (p.MaxValue !== undefined) expect(Number(def), name).toBeLessThanOrEqual(Number(p.MaxValue));
        if (typeof p.AllowedPattern === 'string')
          expect(String(def), name).toMatch(new RegExp(p.AllowedPattern));
      }
    });

    it('offers exactly the Chat regions and log modes of DESIGN.md, and SQS-valid limits', () => {
      expect(parameter('ChatRegion').AllowedValues).toEqual(CHAT_REGIONS);
      expect(parameter('LogUserId').AllowedValues).toEqual(['pseudonym', 'plain', 'omit']);
      // ScalingConfig.MaximumConcurrency accepts 2..1000.
      expect(parameter('MaxConcurrency').MinValue).toBe(2);
      expect(parameter('MaxConcurrency').MaxValue).toBeLessThanOrEqual(1000);
      expect(parameter('BatchSize').MinValue).toBe(1);
      // A standard queue's event source takes up to 10000 records when a batching window is set.
      expect(parameter('BatchSize').MaxValue).toBe(10000);
      const window = Number(sqsEvent().MaximumBatchingWindowInSeconds);
      expect(window).toBeGreaterThanOrEqual(1);
      // The default batch finishes in well under half the function timeout at the default share.
      const share =
        Number(parameter('CallBudgetPerSecond').Default) / Number(parameter('MaxConcurrency').Default);
      expect(Number(parameter('BatchSize').Default) / (share * 0.98)).toBeLessThan(30);
      for (const days of list(parameter('LogRetentionDays').AllowedValues)) {
        expect(LOG_RETENTION_DAYS).toContain(days);
      }
    });
  });

  describe('function', () => {
    it('runs Node.js 24 on arm64 with a 60 s timeout, well above the Chat call deadline', () => {
      const fn = functionProps();
      expect(resource('ErasureFunction').Type).toBe('AWS::Serverless::Function');
      expect(fn.Runtime).toBe('nodejs24.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Timeout).toBe(60);
      expect(Number(fn.Timeout) * 1000).toBeGreaterThan(2 * (CHAT_TIMEOUT_MS_DEFAULT + DEADLINE_MARGIN_MS));
      expect(Number(fn.MemorySize)).toBeGreaterThanOrEqual(256);
    });

    it('is built by esbuild exactly as scripts/build.mjs builds it, and the handler names its output', () => {
      const metadata = obj(resource('ErasureFunction').Metadata, 'Metadata');
      expect(metadata.BuildMethod).toBe('esbuild');
      const build = obj(metadata.BuildProperties, 'BuildProperties');
      expect(build.EntryPoints).toEqual(['src/handler.ts']);
      expect(build.Format).toBe('esm');
      expect(build.OutExtension).toEqual(['.js=.mjs']);
      expect(build.Minify).toBe(true);
      expect(build.Sourcemap).toBe(true);

      // esbuild names the output after the entry point, with OutExtension's extension.
      const [entry] = list(build.EntryPoints).map(String);
      const module = entry?.replace(/^.*\//, '').replace(/\.ts$/, '');
      const extension = String(list(build.OutExtension)[0]).split('=')[1];
      expect(`${module}${extension}`).toBe(buildOption('outfile').replace(/^.*\//, ''));
      expect(functionProps().Handler).toBe(`${module}.handler`);

      expect(buildOption('format')).toBe(build.Format);
      expect(buildOption('target')).toBe(build.Target);
      expect(build.MainFields).toBe('module,main');
      expect(buildScript).toMatch(/mainFields:\s*\['module',\s*'main'\]/);
      expect(build.Banner).toEqual([`js=${buildOption('js')}`]);
      expect(functionProps().CodeUri).toBe('.');
      expect(variables().NODE_OPTIONS).toBe('--enable-source-maps');
    });

    it('sets only environment variables DESIGN.md defines (plus runtime ones), from the right sources', () => {
      const env = variables();
      const unknown = Object.keys(env).filter(
        (name) => !DESIGN_VARIABLES.includes(name) && !RUNTIME_VARIABLES.includes(name),
      );
      expect(unknown).toEqual([]);
      expect(env).toMatchObject({
        SECRET_ID: ref('SecretArn'),
        DLQ_URL: ref('DeadLetterQueue'),
        CHAT_REGION: ref('ChatRegion'),
        CALL_BUDGET_PER_SECOND: ref('CallBudgetPerSecond'),
        MAX_CONCURRENCY: ref('MaxConcurrency'),
        MAX_RECEIVES: ref('MaxReceives'),
        LOG_USER_ID: ref('LogUserId'),
        PROTECTED_USER_IDS: ref('ProtectedUserIds'),
        ERASURE_STEPS: ref('ErasureSteps'),
        GROUP_OWNER_POLICY: ref('GroupOwnerPolicy'),
        PROFILE_CUSTOM_TAGS: ref('ProfileCustomTags'),
        CALL_BUDGETS: ref('CallBudgets'),
        RECEIPT_EVENT_BUS: ref('ReceiptEventBusName'),
        RECEIPT_USER_ID: ref('ReceiptUserId'),
      });
      // CHAT_REGION and CHAT_API_ENDPOINT are exclusive; the endpoint is for simulators only.
      expect(env).not.toHaveProperty('CHAT_API_ENDPOINT');
    });

    it('gives MAX_CONCURRENCY and the event source mapping the same parameter', () => {
      const scaling = obj(sqsEvent().ScalingConfig, 'ScalingConfig');
      expect(scaling.MaximumConcurrency).toEqual(variables().MAX_CONCURRENCY);
      expect(scaling.MaximumConcurrency).toEqual(ref('MaxConcurrency'));
    });

    it("produces an environment the function's own configuration accepts, for every allowed value", () => {
      const sample: Record<string, string> = {
        SecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:chat-erasure/admin-AbCdEf',
        ChatRegion: 'singapore',
        DeadLetterQueue: 'https://sqs.us-east-1.amazonaws.com/000000000000/chat-erasure-dlq',
      };
      expect(sample.SecretArn).toMatch(new RegExp(String(parameter('SecretArn').AllowedPattern)));
      expect('arn:aws:secretsmanager:us-east-1:000000000000:secret:chat-erasure/admin').not.toMatch(
        new RegExp(String(parameter('SecretArn').AllowedPattern)),
      );
      const envWith = (overrides: Record<string, string>): NodeJS.ProcessEnv =>
        Object.fromEntries(
          Object.entries(variables()).map(([name, value]) => {
            if (!isObject(value)) return [name, String(value)];
            const target = String(value.Ref);
            const resolved = overrides[target] ?? sample[target] ?? sectionOf('Parameters')[target];
            const fallback = isObject(resolved) ? resolved.Default : resolved;
            if (fallback === undefined) throw new Error(`no value for ${target}`);
            return [name, String(fallback)];
          }),
        );

      expect(loadConfiguration(envWith({}))).toMatchObject({
        secretId: sample.SecretArn,
        dlqUrl: sample.DeadLetterQueue,
        callBudgetPerSecond: 200,
        maxConcurrency: 2,
        maxReceives: 5,
        logUserId: 'pseudonym',
      });
      const domains: Record<string, Json[]> = {
        ChatRegion: list(parameter('ChatRegion').AllowedValues),
        LogUserId: list(parameter('LogUserId').AllowedValues),
        MaxReceives: list(parameter('MaxReceives').AllowedValues),
        MaxConcurrency: [
          parameter('MaxConcurrency').MinValue ?? 2,
          parameter('MaxConcurrency').MaxValue ?? 2,
        ],
        CallBudgetPerSecond: [
          parameter('CallBudgetPerSecond').MinValue ?? 200,
          parameter('CallBudgetPerSecond').MaxValue ?? 200,
        ],
        ProtectedUserIds: ['', 'admin2', 'admin2, service-bot'],
        ErasureSteps: [
          'friends',
          'account',
          'kick,friends,blocklist,follows,conversations,groups,profile,account',
          ' account , friends ',
        ],
        GroupOwnerPolicy: list(parameter('GroupOwnerPolicy').AllowedValues),
        ProfileCustomTags: [
          '',
          'Tag_Profile_Custom_Hobby',
          'Tag_Profile_Custom_Hobby, Tag_Profile_Custom_Score:int',
        ],
        CallBudgets: ['', 'account_delete=300,follow/follow_delete=50'],
        ReceiptEventBusName: ['', 'erasure-receipts'],
        ReceiptUserId: list(parameter('ReceiptUserId').AllowedValues),
      };
      for (const [name, values] of Object.entries(domains)) {
        const pattern = parameter(name).AllowedPattern;
        if (typeof pattern !== 'string') continue;
        for (const value of values) expect(String(value), name).toMatch(new RegExp(pattern));
      }
      for (const [name, values] of Object.entries(domains)) {
        for (const value of values) {
          expect(
            () => loadConfiguration(envWith({ [name]: String(value) })),
            `${name}=${value}`,
          ).not.toThrow();
        }
      }
    });

    it('traces the invocation (no Tracer in the code: no POWERTOOLS_TRACER_* settings), and names the Powertools service', () => {
      const fn = functionProps();
      expect(fn.Tracing).toBe('Active');
      expect(Object.keys(variables()).filter((name) => name.startsWith('POWERTOOLS_TRACER_'))).toEqual([]);
      expect(variables()).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'chat-erasure' });
      expect(String(variables().POWERTOOLS_METRICS_NAMESPACE)).toMatch(/^[A-Za-z0-9._/#:-]{1,255}$/);
    });

    it('logs JSON to its own log group, kept for LogRetentionDays and retained with the stack', () => {
      const logging = obj(functionProps().LoggingConfig, 'LoggingConfig');
      expect(logging.LogFormat).toBe('JSON');
      expect(logging.LogGroup).toEqual(ref('ErasureLogGroup'));
      const group = resource('ErasureLogGroup');
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(props('ErasureLogGroup').RetentionInDays).toEqual(ref('LogRetentionDays'));
      expect(group.DeletionPolicy).toBe('Retain');
    });
  });

  describe('event source', () => {
    it('reads the erasure queue in batches and reports partial batch failures', () => {
      const event = sqsEvent();
      expect(event.Queue).toEqual(getAtt('ErasureQueue', 'Arn'));
      expect(event.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(event.BatchSize).toEqual(ref('BatchSize'));
      expect(typeof event.MaximumBatchingWindowInSeconds).toBe('number');
    });
  });

  describe('queues', () => {
    it('hides an in-flight batch for at least 6 x the function timeout plus the batching window', () => {
      const queue = props('ErasureQueue');
      const window = Number(sqsEvent().MaximumBatchingWindowInSeconds);
      expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(
        6 * Number(functionProps().Timeout) + window,
      );
      expect(Number(queue.VisibilityTimeout)).toBeLessThanOrEqual(43200);
    });

    it('encrypts both queues at rest and refuses plain-HTTP access to them', () => {
      for (const name of ['ErasureQueue', 'DeadLetterQueue']) {
        const queue = props(name);
        expect(queue.SqsManagedSseEnabled === true || queue.KmsMasterKeyId !== undefined, name).toBe(true);
      }
      const policy = props('QueuesTlsOnlyPolicy');
      expect(policy.Queues).toEqual([ref('ErasureQueue'), ref('DeadLetterQueue')]);
      expect(obj(policy.PolicyDocument, 'queue policy').Statement).toEqual([
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]);
    });

    it('keeps dead letters 14 days, longer than the erasure queue keeps messages', () => {
      const dlq = Number(props('DeadLetterQueue').MessageRetentionPeriod);
      const source = Number(props('ErasureQueue').MessageRetentionPeriod);
      expect(dlq).toBe(1209600);
      expect(source).toBeGreaterThanOrEqual(60);
      expect(dlq).toBeGreaterThan(source);
    });

    it('redrives to the DLQ only after more receives than MaxReceives, for every allowed MaxReceives', () => {
      const redrive = obj(props('ErasureQueue').RedrivePolicy, 'RedrivePolicy');
      expect(redrive.deadLetterTargetArn).toEqual(getAtt('DeadLetterQueue', 'Arn'));
      const lookup = redrive.maxReceiveCount;
      expect(lookup).toEqual({
        'Fn::FindInMap': ['RedriveLimits', ref('MaxReceives'), 'QueueMaxReceiveCount'],
      });
      const limits = obj(sectionOf('Mappings').RedriveLimits, 'RedriveLimits');
      const allowed = list(parameter('MaxReceives').AllowedValues);
      expect(allowed.length).toBeGreaterThan(0);
      for (const maxReceives of allowed) {
        const entry = obj(limits[String(maxReceives)], `RedriveLimits.${maxReceives}`);
        const queueLimit = Number(entry.QueueMaxReceiveCount);
        expect(queueLimit, `MaxReceives ${maxReceives}`).toBeGreaterThan(Number(maxReceives));
        expect(queueLimit).toBeLessThanOrEqual(1000);
      }
    });

    it('lets only the erasure queue use the DLQ, naming its ARN without a reference back (no cycle)', () => {
      const allow = obj(props('DeadLetterQueue').RedriveAllowPolicy, 'RedriveAllowPolicy');
      expect(allow.redrivePermission).toBe('byQueue');
      const name = obj(props('ErasureQueue').QueueName, 'ErasureQueue.QueueName')['Fn::Sub'];
      expect(typeof name).toBe('string');
      expect(allow.sourceQueueArns).toEqual([
        { 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${String(name)}` },
      ]);
    });
  });

  describe('permissions', () => {
    it('uses SAM policy templates scoped to the secret and the DLQ, and no managed policies', () => {
      const policies = functionPolicies();
      expect(policies).toContainEqual({
        AWSSecretsManagerGetSecretValuePolicy: { SecretArn: ref('SecretArn') },
      });
      expect(policies).toContainEqual({
        SQSSendMessagePolicy: { QueueName: getAtt('DeadLetterQueue', 'QueueName') },
      });
      for (const policy of policies) {
        expect(isObject(policy), JSON.stringify(policy)).toBe(true);
        expect(['AWSSecretsManagerGetSecretValuePolicy', 'SQSSendMessagePolicy', 'Statement']).toContain(
          Object.keys(obj(policy, 'policy'))[0],
        );
      }
    });

    it('may change message visibility on, and send continuations to, the erasure queue only; decrypt only through Secrets Manager', () => {
      const statements = inlineStatements();
      const visibility = statements.filter((s) => s.actions.includes('sqs:ChangeMessageVisibility'));
      expect(visibility).toHaveLength(1);
      expect(visibility[0]?.resources).toEqual([getAtt('ErasureQueue', 'Arn')]);
      expect(visibility[0]?.actions).toContain('sqs:SendMessage');

      const kms = list(props('ErasureFunction').Policies).find((p) => isObject(p) && 'Fn::If' in p);
      expect(obj(kms, 'conditional KMS policy')['Fn::If']).toEqual([
        'HasSecretKmsKey',
        expect.objectContaining({ Statement: [expect.objectContaining({ Action: 'kms:Decrypt' })] }),
        NO_VALUE,
      ]);
      const decrypt = statements.find((s) => s.actions.includes('kms:Decrypt'));
      expect(decrypt?.resources).toEqual([ref('SecretKmsKeyArn')]);
      expect(sectionOf('Conditions').HasSecretKmsKey).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [ref('SecretKmsKeyArn'), ''] }],
      });
    });

    it('caps the role with a permissions boundary scoped to this stack (SAM attaches "*" managed policies)', () => {
      expect(props('ErasureFunction').PermissionsBoundary).toEqual(ref('ErasureFunctionPermissionsBoundary'));
      expect(resource('ErasureFunctionPermissionsBoundary').Type).toBe('AWS::IAM::ManagedPolicy');
      const allowed = (action: string) =>
        boundaryStatements()
          .filter((s) => s.Effect === 'Allow' && s.actions.includes(action))
          .flatMap((s) => s.resources);
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
        expect(allowed(action), action).toEqual([getAtt('ErasureQueue', 'Arn')]);
      }
      expect(allowed('sqs:ChangeMessageVisibility')).toEqual([getAtt('ErasureQueue', 'Arn')]);
      // The DLQ, and the erasure queue itself for continuations.
      expect(allowed('sqs:SendMessage').sort()).toEqual(
        [getAtt('ErasureQueue', 'Arn'), getAtt('DeadLetterQueue', 'Arn')].sort(),
      );
      expect(allowed('events:PutEvents')).toEqual([
        // CloudFormation's own substitution syntax, not a template literal.
        { 'Fn::Sub': RECEIPT_BUS_ARN },
      ]);
      for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']) {
        expect(allowed(action), action).toEqual(['*']);
      }
      expect(allowed('secretsmanager:GetSecretValue')).toEqual([ref('SecretArn')]);
      expect(allowed('kms:Decrypt')).toEqual([ref('SecretKmsKeyArn')]);
      expect(allowed('logs:CreateLogStream')).toEqual([getAtt('ErasureLogGroup', 'Arn')]);
      expect(allowed('logs:PutLogEvents')).toEqual([getAtt('ErasureLogGroup', 'Arn')]);
      expect(allowed('xray:PutTraceSegments')).toEqual(['*']);
    });

    it('grants "*" nowhere except X-Ray and the Step Functions task callbacks, which have no resource-level permissions', () => {
      const all = [...inlineStatements(), ...boundaryStatements()];
      expect(all.length).toBeGreaterThan(0);
      for (const statement of all) {
        expect(
          statement.actions.every((a) => !a.includes('*')),
          JSON.stringify(statement),
        ).toBe(true);
        if (statement.resources.includes('*')) {
          expect(
            statement.actions.every(
              (a) =>
                a.startsWith('xray:') ||
                ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'].includes(a),
            ),
            JSON.stringify(statement),
          ).toBe(true);
        }
        if (statement.actions.some((a) => a.startsWith('sqs:') || a.startsWith('secretsmanager:'))) {
          expect(statement.resources).not.toContain('*');
        }
      }
    });
  });

  describe('alarms', () => {
    const actions = { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], NO_VALUE] };

    it('alarm on the DLQ, the erasure backlog and function errors, notifying the topic when one is set', () => {
      const dlq = findAlarm('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
      expect(dlq).toMatchObject({
        Dimensions: [{ Name: 'QueueName', Value: getAtt('DeadLetterQueue', 'QueueName') }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      const backlog = findAlarm('AWS/SQS', 'ApproximateAgeOfOldestMessage');
      expect(backlog).toMatchObject({
        Dimensions: [{ Name: 'QueueName', Value: getAtt('ErasureQueue', 'QueueName') }],
        Threshold: ref('OldestMessageAlarmSeconds'),
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Maximum',
      });
      const errors = findAlarm('AWS/Lambda', 'Errors');
      expect(errors).toMatchObject({
        Dimensions: [{ Name: 'FunctionName', Value: ref('ErasureFunction') }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Sum',
      });
      for (const alarm of [dlq, backlog, errors]) {
        expect(alarm.AlarmActions).toEqual(actions);
        expect(['notBreaching', 'missing', 'ignore', 'breaching']).toContain(alarm.TreatMissingData);
        expect(Number(alarm.EvaluationPeriods)).toBeGreaterThanOrEqual(1);
        expect(Number(alarm.Period)).toBeGreaterThanOrEqual(60); // SQS and Lambda publish per-minute metrics
      }
      expect(sectionOf('Conditions').HasAlarmTopic).toEqual({
        'Fn::Not': [{ 'Fn::Equals': [ref('AlarmTopicArn'), ''] }],
      });
    });
  });

  it('outputs what a user needs next: both queues, the function and the log group', () => {
    const outputs = sectionOf('Outputs');
    const value = (name: string) => obj(outputs[name], `output ${name}`).Value;
    expect(value('ErasureQueueUrl')).toEqual(ref('ErasureQueue'));
    expect(value('ErasureQueueArn')).toEqual(getAtt('ErasureQueue', 'Arn'));
    expect(value('DeadLetterQueueUrl')).toEqual(ref('DeadLetterQueue'));
    expect(value('DeadLetterQueueArn')).toEqual(getAtt('DeadLetterQueue', 'Arn'));
    expect(value('ErasureFunctionName')).toEqual(ref('ErasureFunction'));
    expect(value('ErasureFunctionArn')).toEqual(getAtt('ErasureFunction', 'Arn'));
    expect(value('ErasureLogGroupName')).toEqual(ref('ErasureLogGroup'));
  });
});

describe('dead-letter queue size', () => {
  it('gives the DLQ the erasure queue’s MaximumMessageSize, so a body the queue accepted fits the DLQ', () => {
    expect(props('ErasureQueue').MaximumMessageSize).toBe(1048576);
    expect(props('DeadLetterQueue').MaximumMessageSize).toEqual(props('ErasureQueue').MaximumMessageSize);
  });
});

describe('receipts and the erasure plan', () => {
  it('lets the function put events on the receipt bus only when one is named', () => {
    const policy = list(props('ErasureFunction').Policies).filter((p) => isObject(p) && 'Fn::If' in p);
    const bus = policy.find((p) => JSON.stringify(p).includes('HasReceiptBus'));
    expect(obj(bus, 'receipt bus policy')['Fn::If']).toEqual([
      'HasReceiptBus',
      expect.objectContaining({ Statement: [expect.objectContaining({ Action: 'events:PutEvents' })] }),
      NO_VALUE,
    ]);
    expect(sectionOf('Conditions').HasReceiptBus).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [ref('ReceiptEventBusName'), ''] }],
    });
  });

  it('refuses an ErasureSteps value the function would refuse only for unknown names (order and spaces are free)', () => {
    const pattern = new RegExp(String(parameter('ErasureSteps').AllowedPattern));
    for (const bad of ['', 'friend', 'friends,,kick', 'friends;kick', 'Friends'])
      expect(bad).not.toMatch(pattern);
  });
});
