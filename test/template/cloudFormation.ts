/**
 * Reads a CloudFormation/SAM template written in YAML into plain data in the long (JSON) form, so tests
 * can follow references: `!Ref X` becomes `{ Ref: 'X' }`, `!GetAtt A.B` becomes `{ 'Fn::GetAtt': ['A', 'B'] }`,
 * `!Sub s` becomes `{ 'Fn::Sub': s }`, and so on. Test-only: nothing in `src/` reads templates.
 */
import { type CollectionTag, parseDocument, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';

/** Intrinsic functions whose short form is `!Name` and long form `{ 'Fn::Name': … }`. */
const FN_TAGS = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
] as const;

/** CloudFormation's pseudo parameters: valid `Ref` targets that no template declares. */
export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** `!GetAtt Res.Attr.Sub` names the resource before the first dot; the long form is a two-item list. */
function getAttLongForm(value: Json): Json {
  if (typeof value !== 'string') return value;
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

function longForm(name: string, value: Json): Json {
  if (name === 'Ref' || name === 'Condition') return { [name]: value };
  return { [`Fn::${name}`]: name === 'GetAtt' ? getAttLongForm(value) : value };
}

/** A scalar, list and mapping form of one tag; yaml wraps the plain result of `resolve` in a Scalar node. */
function tagsFor(name: string): (ScalarTag | CollectionTag)[] {
  const tag = `!${name}`;
  const collection = (node: YAMLMap | YAMLSeq) => longForm(name, node.toJSON() as Json);
  const scalar: ScalarTag = { tag, resolve: (text) => longForm(name, text) };
  const seq: CollectionTag = { tag, collection: 'seq', resolve: collection };
  const map: CollectionTag = { tag, collection: 'map', resolve: collection };
  return [scalar, seq, map];
}

const CLOUDFORMATION_TAGS = ['Ref', 'Condition', ...FN_TAGS].flatMap(tagsFor);

/**
 * Parses template text. Any YAML error or unknown tag throws: a template these tests cannot read must not
 * pass them.
 * @example
 * const template = parseCloudFormationYaml('Value: !GetAtt Queue.Arn'); // { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } }
 */
export function parseCloudFormationYaml(text: string): Json {
  const doc = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((p) => p.message);
  if (problems.length > 0) throw new Error(`template does not parse:\n${problems.join('\n')}`);
  return doc.toJS({ maxAliasCount: -1 }) as Json;
}

export function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A reference from somewhere in the template to a name it must declare. */
export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'FindInMap' | 'Condition' | 'DependsOn';
  target: string;
  /** Where it was found, as a dotted path, for failure messages. */
  path: string;
}

/** `${Name}` and `${Name.Attr}` in a Fn::Sub string; `${!Literal}` is an escape, not a reference. */
function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1] ?? '');
}

function collect(value: Json, path: string, out: Reference[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      collect(item, `${path}[${i}]`, out);
    });
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  const arg = only === undefined ? undefined : value[only];
  if (only === 'Ref' && typeof arg === 'string') {
    out.push({ kind: 'Ref', target: arg, path });
    return;
  }
  if (only === 'Fn::GetAtt' && Array.isArray(arg) && typeof arg[0] === 'string') {
    out.push({ kind: 'GetAtt', target: arg[0], path });
    collect(arg.slice(1), path, out);
    return;
  }
  if (only === 'Fn::Sub') {
    const [text, locals] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
    const localNames = isObject(locals) ? new Set(Object.keys(locals)) : new Set<string>();
    if (typeof text === 'string') {
      for (const variable of subVariables(text)) {
        const name = variable.split('.')[0] ?? variable;
        if (!localNames.has(name)) out.push({ kind: 'Sub', target: variable, path });
      }
    }
    if (locals !== undefined) collect(locals, `${path}.Fn::Sub[1]`, out);
    return;
  }
  if (only === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string') {
    out.push({ kind: 'FindInMap', target: arg[0], path });
    collect(arg.slice(1), path, out);
    return;
  }
  if (only === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') {
    out.push({ kind: 'Condition', target: arg[0], path });
    collect(arg.slice(1), path, out);
    return;
  }
  if (only === 'Condition' && typeof arg === 'string') {
    out.push({ kind: 'Condition', target: arg, path });
    return;
  }
  for (const key of keys) collect(value[key] ?? null, `${path}.${key}`, out);
}

function section(template: Json, name: string): { [key: string]: Json } {
  if (!isObject(template)) return {};
  const value = template[name];
  return isObject(value) ? value : {};
}

/**
 * Every reference in the template: intrinsic functions in Resources, Outputs and Conditions, plus each
 * resource's `Condition` and `DependsOn` attributes.
 */
export function collectReferences(template: Json): Reference[] {
  const out: Reference[] = [];
  for (const [name, resource] of Object.entries(section(template, 'Resources'))) {
    if (!isObject(resource)) continue;
    const { Condition: condition, DependsOn: dependsOn, ...rest } = resource;
    if (typeof condition === 'string')
      out.push({ kind: 'Condition', target: condition, path: `Resources.${name}.Condition` });
    for (const dep of Array.isArray(dependsOn) ? dependsOn : dependsOn === undefined ? [] : [dependsOn]) {
      if (typeof dep === 'string')
        out.push({ kind: 'DependsOn', target: dep, path: `Resources.${name}.DependsOn` });
    }
    collect(rest, `Resources.${name}`, out);
  }
  collect(section(template, 'Outputs'), 'Outputs', out);
  collect(section(template, 'Conditions'), 'Conditions', out);
  return out;
}

/**
 * References whose target the template does not declare (parameter, resource, pseudo parameter, mapping
 * or condition, as the kind requires). An empty list means every reference resolves.
 * @example
 * danglingReferences(parseCloudFormationYaml('Resources: { A: { Type: T, Properties: { X: !Ref Nope } } }')); // [{ kind: 'Ref', target: 'Nope', … }]
 */
export function danglingReferences(template: Json): Reference[] {
  const parameters = new Set(Object.keys(section(template, 'Parameters')));
  const resources = new Set(Object.keys(section(template, 'Resources')));
  const mappings = new Set(Object.keys(section(template, 'Mappings')));
  const conditions = new Set(Object.keys(section(template, 'Conditions')));
  const refTargets = new Set([...parameters, ...resources, ...PSEUDO_PARAMETERS]);
  return collectReferences(template).filter((ref) => {
    switch (ref.kind) {
      case 'Ref':
        return !refTargets.has(ref.target);
      case 'GetAtt':
      case 'DependsOn':
        return !resources.has(ref.target);
      case 'Sub': {
        const [name = '', attribute] = ref.target.split(/\.(.*)/s);
        return attribute === undefined ? !refTargets.has(name) : !resources.has(name);
      }
      case 'FindInMap':
        return !mappings.has(ref.target);
      case 'Condition':
        return !conditions.has(ref.target);
      default:
        return true;
    }
  });
}

/**
 * A dependency cycle among resources (via Ref, GetAtt, Sub and DependsOn), as the list of resource names
 * around it, or undefined. CloudFormation refuses such a template ("Circular dependency between resources").
 */
export function resourceDependencyCycle(template: Json): string[] | undefined {
  const resources = section(template, 'Resources');
  const edges = new Map<string, Set<string>>();
  for (const name of Object.keys(resources)) edges.set(name, new Set());
  for (const ref of collectReferences(template)) {
    const from = ref.path.startsWith('Resources.') ? ref.path.split('.')[1] : undefined;
    const to = ref.kind === 'Sub' ? ref.target.split('.')[0] : ref.target;
    if (from !== undefined && to !== undefined && edges.has(from) && edges.has(to)) edges.get(from)?.add(to);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}
