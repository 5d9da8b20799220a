/**
 * The webhook ingress in template.yaml (DESIGN.md "Ingress: signed webhook"): off unless IngressEnabled,
 * built like `npm run build` builds dist/ingress.mjs, configured only with the variables the ingress reads,
 * public through its Function URL (the signature is the authentication) but bounded by reserved
 * concurrency, allowed to send to the erasure queue and read its own secret and nothing else, and watched
 * by an alarm on 5xx answers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingressBuildOptions } from '../../scripts/lambdaBuildOptions.mjs';
import { loadIngressConfiguration } from '../../src/ingress/configuration.ts';
import {
  collectReferences,
  danglingReferences,
  isObject,
  type Json,
  parseCloudFormationYaml,
} from './cloudFormation.ts';

const template = parseCloudFormationYaml(
  readFileSync(new URL('../../template.yaml', import.meta.url), 'utf8'),
);

const ref = (name: string) => ({ Ref: name });
const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
const NO_VALUE = ref('AWS::NoValue');

function obj(value: Json | undefined, what: string): { [key: string]: Json } {
  if (!isObject(value)) throw new Error(`${what} is not a mapping`);
  return value;
}
const list = (value: Json | undefined): Json[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const root = obj(template, 'template');
const section = (name: string) => obj(root[name], name);
const resource = (name: string) => obj(section('Resources')[name], `resource ${name}`);
const props = (name: string) => obj(resource(name).Properties, `${name}.Properties`);
const parameter = (name: string) => obj(section('Parameters')[name], `parameter ${name}`);

/** The ingress's resources: every one whose logical id starts with `Ingress`. */
const INGRESS_RESOURCES = Object.keys(section('Resources')).filter((name) => name.startsWith('Ingress'));

function ifBranches(item: Json): Json[] {
  if (isObject(item) && Array.isArray(item['Fn::If'])) {
    return item['Fn::If'].slice(1).filter((branch) => JSON.stringify(branch) !== JSON.stringify(NO_VALUE));
  }
  return [item];
}

interface Statement {
  effect: string;
  actions: string[];
  resources: Json[];
}
function statements(document: Json | undefined): Statement[] {
  return list(obj(document, 'policy document').Statement)
    .flatMap(ifBranches)
    .map((item) => {
      const statement = obj(item, 'statement');
      return {
        effect: String(statement.Effect),
        actions: list(statement.Action).map(String),
        resources: list(statement.Resource),
      };
    });
}

/** The ingress function's environment as SAM merges it: Globals under the function's own. */
function ingressVariables(): { [key: string]: Json } {
  const globals = obj(
    obj(obj(root.Globals, 'Globals').Function, 'Globals.Function').Environment,
    'Globals env',
  );
  return {
    ...obj(globals.Variables, 'Globals variables'),
    ...obj(obj(props('IngressFunction').Environment, 'env').Variables, 'variables'),
  };
}

describe('IngressEnabled', () => {
  it('is "false" unless chosen, and every ingress resource and output hangs on its condition', () => {
    expect(parameter('IngressEnabled')).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(section('Conditions').HasIngress).toEqual({ 'Fn::Equals': [ref('IngressEnabled'), 'true'] });
    expect(INGRESS_RESOURCES.sort()).toEqual(
      [
        'IngressFunction',
        'IngressFunctionInvokeViaUrl',
        'IngressFunctionPermissionsBoundary',
        'IngressFunctionUrl',
        'IngressFunctionUrlPublicAccess',
        'IngressLogGroup',
        'IngressServerErrorsAlarm',
        'IngressServerErrorsMetricFilter',
      ].sort(),
    );
    for (const name of INGRESS_RESOURCES) expect(resource(name).Condition, name).toBe('HasIngress');
    const outputs = section('Outputs');
    for (const name of ['IngressUrl', 'IngressEndpoint']) {
      expect(obj(outputs[name], name).Condition, name).toBe('HasIngress');
    }
  });

  it('leaves no unconditional resource or output referring to an ingress resource (the stack deploys without it)', () => {
    expect(danglingReferences(template)).toEqual([]);
    const ingress = new Set(INGRESS_RESOURCES);
    const conditional = (path: string) => {
      const [kind, name] = path.split('.');
      const owner =
        kind === 'Resources'
          ? resource(name as string)
          : obj(section('Outputs')[name as string], String(name));
      return owner.Condition === 'HasIngress';
    };
    const offenders = collectReferences(template).filter((reference) => {
      const target = reference.target.split('.')[0] as string;
      const from = reference.path.split('.').slice(0, 2).join('.');
      return ingress.has(target) && !from.startsWith('Conditions') && !conditional(from);
    });
    expect(offenders).toEqual([]);
  });

  it('needs the signing secret when enabled (a Rule), an ARN or nothing otherwise', () => {
    const secret = parameter('IngressSecretArn');
    expect(secret.Default).toBe('');
    const pattern = new RegExp(String(secret.AllowedPattern));
    expect('').toMatch(pattern);
    expect('arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat-erasure/ingress-AbCdEf').toMatch(
      pattern,
    );
    expect('chat-erasure/ingress').not.toMatch(pattern);
    // A partial ARN (no 6-character suffix) would deploy and then be denied by the exact-ARN policy.
    expect('arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat-erasure/ingress').not.toMatch(pattern);
    const rule = obj(obj(root.Rules, 'Rules').IngressNeedsSigningKeys, 'IngressNeedsSigningKeys');
    expect(rule.RuleCondition).toEqual({ 'Fn::Equals': [ref('IngressEnabled'), 'true'] });
    expect(rule.Assertions).toEqual([
      expect.objectContaining({ Assert: { 'Fn::Not': [{ 'Fn::Equals': [ref('IngressSecretArn'), ''] }] } }),
    ]);
  });
});

describe('IngressFunction', () => {
  it('is built by esbuild exactly as scripts/build.mjs builds dist/ingress.mjs, and its handler names that file', () => {
    const build = obj(
      obj(resource('IngressFunction').Metadata, 'Metadata').BuildProperties,
      'BuildProperties',
    );
    expect(obj(resource('IngressFunction').Metadata, 'Metadata').BuildMethod).toBe('esbuild');
    expect(build.EntryPoints).toEqual(ingressBuildOptions.entryPoints);
    expect(build.Format).toBe(ingressBuildOptions.format);
    expect(build.Target).toBe(ingressBuildOptions.target);
    expect(build.MainFields).toBe(ingressBuildOptions.mainFields.join(','));
    expect(build.Minify).toBe(ingressBuildOptions.minify);
    expect(build.Sourcemap).toBe(ingressBuildOptions.sourcemap);
    expect(build.Banner).toEqual([`js=${ingressBuildOptions.banner.js}`]);
    expect(build.OutExtension).toEqual(['.js=.mjs']);
    const module = String(list(build.EntryPoints)[0]).replace(/^.*\//, '').replace(/\.ts$/, '');
    expect(`${module}.mjs`).toBe(ingressBuildOptions.outfile.replace(/^.*\//, ''));
    expect(props('IngressFunction').Handler).toBe(`${module}.handler`);
    expect(props('IngressFunction').CodeUri).toBe('.');
  });

  it('has a short timeout, well above the 1 s deadline margin, and reserved concurrency to bound abuse', () => {
    const fn = props('IngressFunction');
    expect(Number(fn.Timeout)).toBeGreaterThanOrEqual(5);
    expect(Number(fn.Timeout)).toBeLessThanOrEqual(30);
    const reserved = Number(fn.ReservedConcurrentExecutions);
    expect(Number.isInteger(reserved)).toBe(true);
    expect(reserved).toBeGreaterThanOrEqual(1);
    expect(reserved).toBeLessThanOrEqual(50);
  });

  it('sets only the variables the ingress reads (plus runtime ones), from the right sources', () => {
    const env = ingressVariables();
    expect(Object.keys(env).sort()).toEqual(
      [
        'ERASURE_QUEUE_URL',
        'INGRESS_SECRET_ID',
        'LOG_USER_ID',
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
    expect(env).toMatchObject({
      ERASURE_QUEUE_URL: ref('ErasureQueue'),
      INGRESS_SECRET_ID: ref('IngressSecretArn'),
      LOG_USER_ID: ref('LogUserId'),
      POWERTOOLS_SERVICE_NAME: 'chat-erasure-ingress',
    });
  });

  it("produces an environment the ingress's own configuration accepts, for every LogUserId", () => {
    const sample: Record<string, string> = {
      ErasureQueue: 'https://sqs.eu-west-1.amazonaws.com/123456789012/chat-erasure-queue',
      IngressSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:chat-erasure/ingress-AbCdEf',
    };
    for (const logUserId of list(parameter('LogUserId').AllowedValues).map(String)) {
      const env = Object.fromEntries(
        Object.entries(ingressVariables()).map(([name, value]) => {
          if (!isObject(value)) return [name, String(value)];
          const target = String(value.Ref);
          return [name, target === 'LogUserId' ? logUserId : (sample[target] as string)];
        }),
      );
      expect(loadIngressConfiguration(env)).toMatchObject({
        erasureQueueUrl: sample.ErasureQueue,
        signingSecretId: sample.IngressSecretArn,
        maxSkewSeconds: 300,
        logUserId,
      });
    }
  });

  it('logs JSON to its own log group, kept for LogRetentionDays and retained with the stack', () => {
    const logging = obj(props('IngressFunction').LoggingConfig, 'LoggingConfig');
    expect(logging).toMatchObject({ LogFormat: 'JSON', LogGroup: ref('IngressLogGroup') });
    expect(resource('IngressLogGroup')).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Retain',
    });
    expect(props('IngressLogGroup').RetentionInDays).toEqual(ref('LogRetentionDays'));
  });
});

describe('Function URL', () => {
  it('is public (AuthType NONE: the signature is the auth), with both statements a public URL needs', () => {
    expect(resource('IngressFunctionUrl').Type).toBe('AWS::Lambda::Url');
    expect(props('IngressFunctionUrl')).toEqual({
      TargetFunctionArn: getAtt('IngressFunction', 'Arn'),
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
    });
    expect(props('IngressFunctionUrlPublicAccess')).toEqual({
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: ref('IngressFunction'),
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    // lambda:InvokeFunction for everyone, but only through the URL.
    expect(props('IngressFunctionInvokeViaUrl')).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: ref('IngressFunction'),
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
    expect(props('IngressFunction')).not.toHaveProperty('FunctionUrlConfig');
  });

  it('is an output, with the endpoint DSR platforms post to', () => {
    const outputs = section('Outputs');
    expect(obj(outputs.IngressUrl, 'IngressUrl').Value).toEqual(getAtt('IngressFunctionUrl', 'FunctionUrl'));
    // FunctionUrl ends in "/".
    expect(obj(outputs.IngressEndpoint, 'IngressEndpoint').Value).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
      'Fn::Sub': '${IngressFunctionUrl.FunctionUrl}erasures',
    });
  });
});

describe('permissions', () => {
  const policies = () => list(props('IngressFunction').Policies).flatMap(ifBranches);

  it('may read its own secret and send to the erasure queue, nothing else (KMS only through Secrets Manager)', () => {
    const all = policies();
    expect(all).toContainEqual({
      AWSSecretsManagerGetSecretValuePolicy: { SecretArn: ref('IngressSecretArn') },
    });
    expect(all).toContainEqual({ SQSSendMessagePolicy: { QueueName: getAtt('ErasureQueue', 'QueueName') } });
    const inline = all.filter((p) => isObject(p) && 'Statement' in p).flatMap((p) => statements(p));
    expect(inline).toEqual([
      { effect: 'Allow', actions: ['kms:Decrypt'], resources: [ref('SecretKmsKeyArn')] },
    ]);
    expect(all).toHaveLength(3);
    const kms = list(props('IngressFunction').Policies).find((p) => isObject(p) && 'Fn::If' in p);
    expect(list(obj(kms, 'conditional KMS policy')['Fn::If'])[0]).toBe('HasSecretKmsKey');
  });

  it('is capped by its own permissions boundary: SendMessage on the erasure queue only, its secret, its logs', () => {
    expect(props('IngressFunction').PermissionsBoundary).toEqual(ref('IngressFunctionPermissionsBoundary'));
    const boundary = statements(props('IngressFunctionPermissionsBoundary').PolicyDocument);
    const allowed = (action: string) =>
      boundary.filter((s) => s.effect === 'Allow' && s.actions.includes(action)).flatMap((s) => s.resources);
    expect(allowed('sqs:SendMessage')).toEqual([getAtt('ErasureQueue', 'Arn')]);
    expect(allowed('secretsmanager:GetSecretValue')).toEqual([ref('IngressSecretArn')]);
    expect(allowed('kms:Decrypt')).toEqual([ref('SecretKmsKeyArn')]);
    expect(allowed('logs:PutLogEvents')).toEqual([getAtt('IngressLogGroup', 'Arn')]);
    expect(allowed('logs:CreateLogStream')).toEqual([getAtt('IngressLogGroup', 'Arn')]);
    const actions = boundary.flatMap((s) => s.actions).sort();
    expect(actions).toEqual(
      [
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    for (const statement of boundary) {
      if (statement.resources.includes('*'))
        expect(statement.actions.every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it('gives the erasure function no access to the signing keys', () => {
    expect(JSON.stringify(props('ErasureFunction'))).not.toContain('IngressSecretArn');
    expect(JSON.stringify(props('ErasureFunctionPermissionsBoundary'))).not.toContain('IngressSecretArn');
  });
});

describe('5xx alarm', () => {
  it('counts the "ingress" log lines with a status of 500 or more', () => {
    const filter = props('IngressServerErrorsMetricFilter');
    expect(filter.LogGroupName).toEqual(ref('IngressLogGroup'));
    expect(filter.FilterPattern).toBe('{ ($.message = "ingress") && ($.status >= 500) }');
    expect(filter.MetricTransformations).toEqual([
      { MetricNamespace: 'ChatErasure', MetricName: 'IngressServerErrors', MetricValue: '1', Unit: 'Count' },
    ]);
  });

  it('alarms on any 5xx answer or failed invocation, notifying the topic when one is set', () => {
    const alarm = props('IngressServerErrorsAlarm');
    const metrics = list(alarm.Metrics).map((m) => obj(m, 'metric'));
    const stat = (id: string) =>
      obj(
        obj(
          metrics.find((m) => m.Id === id),
          id,
        ).MetricStat,
        `${id}.MetricStat`,
      );
    expect(obj(stat('answered').Metric, 'answered')).toEqual({
      Namespace: 'ChatErasure',
      MetricName: 'IngressServerErrors',
    });
    expect(obj(stat('failed').Metric, 'failed')).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref('IngressFunction') }],
    });
    for (const id of ['answered', 'failed']) expect(stat(id)).toMatchObject({ Period: 60, Stat: 'Sum' });
    const expression = metrics.filter((m) => m.ReturnData === true);
    expect(expression).toHaveLength(1);
    expect(expression[0]?.Expression).toBe('FILL(answered, 0) + FILL(failed, 0)');
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: { 'Fn::If': ['HasAlarmTopic', [ref('AlarmTopicArn')], NO_VALUE] },
    });
    expect(alarm).not.toHaveProperty('Namespace');
  });
});
