// Where a secret could leak from an error or a public object, rendered every way a user or a logger
// would: message, stack, the whole `cause` chain (AggregateError members too), String(), JSON.stringify,
// node:util inspect (showHidden, full depth), Deno.inspect and Bun.inspect where they exist.
import { inspect } from "node:util";

/** One secret and the spellings it could travel in. */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

/** The spellings of a secret worth searching for: as is, percent-encoded, base64 of its UTF-8. */
export function spellings(secret: Secret): string[] {
  const utf8 = new TextEncoder().encode(secret.value);
  const base64 = btoa(String.fromCharCode(...utf8));
  return [...new Set([secret.value, encodeURIComponent(secret.value), base64])];
}

/** Every rendering of `value` as `[where, text]`; errors are followed down their cause chain. */
export function renderings(value: unknown, label: string): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown, where: string, depth: number) => {
    if (depth > 8 || seen.has(v)) return;
    seen.add(v);
    out.push([`${where} String()`, safe(() => String(v))]);
    out.push([`${where} JSON.stringify`, safe(() => JSON.stringify(v, jsonReplacer()))]);
    out.push([`${where} util.inspect`, safe(() => inspect(v, { depth: Infinity, showHidden: true }))]);
    const deno = (globalThis as { Deno?: { inspect(v: unknown, o: object): string } }).Deno;
    if (deno) {
      out.push([
        `${where} Deno.inspect`,
        safe(() => deno.inspect(v, { depth: Infinity, showHidden: true })),
      ]);
    }
    const bun = (globalThis as { Bun?: { inspect(v: unknown, o?: object): string } }).Bun;
    if (bun) out.push([`${where} Bun.inspect`, safe(() => bun.inspect(v, { depth: Infinity }))]);
    if (v instanceof Error) {
      out.push([`${where} message`, v.message]);
      out.push([`${where} stack`, String(v.stack)]);
      for (const [key, field] of Object.entries(v)) out.push([`${where}.${key}`, safe(() => String(field))]);
      if (v.cause !== undefined) visit(v.cause, `${where}.cause`, depth + 1);
      if (v instanceof AggregateError) {
        v.errors.forEach((e, i) => visit(e, `${where}.errors[${i}]`, depth + 1));
      }
    }
  };
  visit(value, label, 0);
  return out;
}

/**
 * Every place a secret shows up in the renderings of `value`.
 * @param value an error or a public object
 * @param label what it is, for the report
 * @param secrets what must not show
 * @returns `label where: secret name` for each leak (empty: nothing leaked)
 */
export function exposures(value: unknown, label: string, secrets: readonly Secret[]): string[] {
  const leaks: string[] = [];
  for (const [where, text] of renderings(value, label)) {
    for (const secret of secrets) {
      if (spellings(secret).some((s) => text.includes(s))) leaks.push(`${where}: ${secret.name}`);
    }
  }
  return leaks;
}

function safe(render: () => string | undefined): string {
  try {
    return render() ?? "";
  } catch (err) {
    return `(rendering failed: ${(err as Error)?.message})`;
  }
}

// JSON.stringify that survives bigints and cycles.
function jsonReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[cycle]";
      seen.add(value);
    }
    return value;
  };
}
