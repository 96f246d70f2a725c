import type * as v from 'valibot';

/** A yes/no answer to "does valibot accept this value?", without valibot's output or issues. */
export type Check = (value: unknown) => boolean;

/*
 * valibot's `~run` builds a dataset object for every value it visits and a fresh output object
 * for every `v.object`, even when the input passes and the output is thrown away (the stats
 * schemas are checked, not copied: schemas.ts). On the agent's poll path, with V8's optimizing
 * compilers off, that made validating fargate-10's task stats 435 µs of the ~5.5 ms a poll
 * costs. So the stats schemas are compiled once into a tree of predicates that allocates
 * nothing, and valibot itself runs only when the predicate says no, to name the field (parse.ts
 * runs it through `safeParseInput`, so its issues are worded by @taskscope/input's message hook).
 *
 * The predicates mirror valibot 1.5's own `~run` for each schema type below (nullish,
 * optional, object, record, array, custom, string, number, pipe with `finite`). A schema type
 * or action outside that list, a default, a fallback or a transformation throws when the
 * schema is compiled (parse.ts compiles at import) instead of being checked differently: the
 * valibot schema stays the one definition, and check.test.ts asserts the two agree on every
 * fixture and on fast-check's mutations of them.
 */

type Node = v.GenericSchema & {
  readonly pipe?: readonly { readonly kind: string; readonly type: string }[];
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly fallback?: unknown;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
  readonly check?: (value: unknown) => unknown;
};

const compiled = new WeakMap<object, Check>();

/** The predicate of `schema`, compiled once and cached; throws for a schema it cannot mirror. */
export function checkOf(schema: v.GenericSchema): Check {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema as Node, 'schema');
    compiled.set(schema, check);
  }
  return check;
}

function compile(schema: Node, at: string): Check {
  if (schema.default !== undefined || schema.fallback !== undefined) {
    throw unsupported(at, 'a default or fallback (the checked payload is returned as is)');
  }
  const base = compileType(schema, at);
  if (schema.pipe === undefined) return base;
  const actions: Check[] = [];
  // pipe[0] is the schema itself, whose type `base` already checks.
  for (const item of schema.pipe.slice(1)) {
    if (item.kind === 'metadata') continue;
    if (item.kind === 'validation' && item.type === 'finite') actions.push(Number.isFinite as Check);
    else throw unsupported(at, `the pipe ${item.kind} "${item.type}"`);
  }
  return (value) => {
    if (!base(value)) return false;
    for (const action of actions) if (!action(value)) return false;
    return true;
  };
}

function compileType(schema: Node, at: string): Check {
  switch (schema.type) {
    case 'string':
      return (value) => typeof value === 'string';
    case 'number':
      return (value) => typeof value === 'number' && !Number.isNaN(value);
    case 'custom': {
      const check = required(schema.check, at, 'check');
      return (value) => Boolean(check(value));
    }
    case 'nullish': {
      const wrapped = compile(required(schema.wrapped, at, 'wrapped'), at);
      return (value) => value === null || value === undefined || wrapped(value);
    }
    case 'optional': {
      const wrapped = compile(required(schema.wrapped, at, 'wrapped'), at);
      return (value) => value === undefined || wrapped(value);
    }
    case 'array': {
      const item = compile(required(schema.item, at, 'item'), `${at}[]`);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (const entry of value) if (!item(entry)) return false;
        return true;
      };
    }
    case 'record': {
      const key = compile(required(schema.key, at, 'key'), `${at} key`);
      const entry = compile(required(schema.value, at, 'value'), `${at}.*`);
      return (value) => {
        if (!value || typeof value !== 'object') return false;
        const record = value as Record<string, unknown>;
        for (const name in record) {
          // valibot's _isValidObjectKey: own keys only, and never these three.
          if (
            !Object.hasOwn(record, name) ||
            name === '__proto__' ||
            name === 'prototype' ||
            name === 'constructor'
          ) {
            continue;
          }
          if (!key(name) || !entry(record[name])) return false;
        }
        return true;
      };
    }
    case 'object':
      return compileObject(required(schema.entries, at, 'entries'), at);
    default:
      throw unsupported(at, `the schema type "${schema.type}"`);
  }
}

function compileObject(entries: Readonly<Record<string, Node>>, at: string): Check {
  const names = Object.keys(entries);
  const checks = names.map((name) => compile(entries[name] as Node, `${at}.${name}`));
  // valibot reports a missing key unless its schema is optional, nullish or exact_optional.
  const mayBeMissing = names.map((name) => {
    const type = entries[name]?.type;
    return type === 'optional' || type === 'nullish' || type === 'exact_optional';
  });
  return (value) => {
    if (!value || typeof value !== 'object') return false;
    const object = value as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      // `in`, as valibot tests presence: a key set to undefined is present.
      if (name in object) {
        if (!(checks[i] as Check)(object[name])) return false;
      } else if (!mayBeMissing[i]) {
        return false;
      }
    }
    return true;
  };
}

function required<T>(part: T | undefined, at: string, name: string): T {
  if (part === undefined) throw unsupported(at, `a schema without its ${name}`);
  return part;
}

// A plain Error on purpose: a schema checkOf cannot mirror is a bug in wire's own schemas,
// found by the first test that imports them, never something a user did.
function unsupported(at: string, what: string): Error {
  return new Error(`checkOf cannot mirror ${what} at ${at}; extend wire/src/check.ts or use parseWith`);
}
