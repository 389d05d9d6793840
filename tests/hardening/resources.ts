// "No timer or listener left behind", checked the best way each runtime allows, in one place:
//
// | what                    | Node                               | Deno                                         | Bun                     |
// | ----------------------- | ---------------------------------- | -------------------------------------------- | ----------------------- |
// | sockets, handles        | process.getActiveResourcesInfo()   | getActiveResourcesInfo() (node: sockets) and | gap: getActiveResources |
// |                         |                                    | Deno[Deno.internal].core.resources()         | Info() is a stub ([])   |
// |                         |                                    | (Deno.connect sockets; Deno.resources() is   |                         |
// |                         |                                    | gone in Deno 2)                              |                         |
// | timers                  | getActiveResourcesInfo() "Timeout" | getActiveResourcesInfo() "Timeout"           | instrumented timers     |
// |                         | + instrumented timers              | + instrumented timers                        |                         |
// | signal listeners        | instrumented signal                | instrumented signal                          | instrumented signal     |
// | socket closed by client | the peer sees it close             | the peer sees it close                       | the peer sees it close  |
//
// Instrumented timers: while a tracker is installed, the global setTimeout/setInterval are wrapped and
// every timer not yet fired or cleared is counted. The hostile peer takes its own timers from
// node:timers, bound at import, so they are not counted. Deno's test sanitizers do not apply to
// node:test tests (Deno runs them with sanitizers off), so they are no help here.
// AbortSignal.timeout() timers are invisible to all of these (they are unref'd and not global
// timers); they hold no socket and end by themselves.
import process from "node:process";

/** Live resources by kind, e.g. `{ TCPSocketWrap: 2, "deno:tcpStream": 1, "timer": 0 }`. */
export type ResourceCounts = Record<string, number>;

/** Which of the checks this runtime supports (for reports and docs). */
export const RESOURCE_ACCOUNTING: { runtime: string; handles: string; gaps: string[] } = (() => {
  if ("Deno" in globalThis) {
    return {
      runtime: "deno",
      handles: "process.getActiveResourcesInfo() + Deno[Deno.internal].core.resources()",
      gaps: ["AbortSignal.timeout timers are not listed"],
    };
  }
  if ("Bun" in globalThis) {
    return {
      runtime: "bun",
      handles: "none (process.getActiveResourcesInfo() returns [])",
      gaps: [
        "no handle/socket accounting: Bun's getActiveResourcesInfo() is a stub; socket closure is checked from the peer",
        "AbortSignal.timeout timers are not listed",
      ],
    };
  }
  return {
    runtime: "node",
    handles: "process.getActiveResourcesInfo()",
    gaps: ["AbortSignal.timeout timers are not listed"],
  };
})();

/**
 * The runtime's live handles by kind (see the table above). Stdio and pending close requests are left
 * out: they come and go with logging, not with the code under test.
 * @returns counts by kind
 */
export function handleCounts(): ResourceCounts {
  const counts: ResourceCounts = {};
  const add = (kind: string) => (counts[kind] = (counts[kind] ?? 0) + 1);
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo?.() ?? [];
  for (const kind of info) {
    if (!["CloseReq", "TTYWrap", "PipeWrap", "FSReqCallback"].includes(kind)) add(kind);
  }
  const deno = (globalThis as { Deno?: Record<symbol | string, unknown> }).Deno;
  if (deno) {
    const internal = deno[deno.internal as symbol] as { core?: { resources?: () => Record<string, string> } };
    for (const name of Object.values(internal?.core?.resources?.() ?? {})) {
      if (!["stdin", "stdout", "stderr"].includes(name)) add(`deno:${name}`);
    }
  }
  return counts;
}

/** Kinds whose count is above `before`, as `kind: before → now`. */
export function grownSince(before: ResourceCounts, now: ResourceCounts): string[] {
  return Object.keys(now).filter((k) => now[k] > (before[k] ?? 0)).map((k) =>
    `${k}: ${before[k] ?? 0} → ${now[k]}`
  );
}

/** Global timers created and neither fired nor cleared, while installed. */
export interface TimerTracker {
  /** How many timers are live now. */
  live(): number;
  /** Puts the original timer functions back. */
  restore(): void;
}

/**
 * Wraps the global timer functions to count live timers (every runtime; Bun's only timer accounting).
 * @returns the tracker; call `restore()` in a `finally`
 */
export function trackTimers(): TimerTracker {
  const g = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = {
    setTimeout: g.setTimeout,
    clearTimeout: g.clearTimeout,
    setInterval: g.setInterval,
    clearInterval: g.clearInterval,
  };
  const live = new Set<unknown>();
  // A timer's id may be an object (Node, Bun) or a number (Deno): keep both forms.
  const key = (id: unknown) => (typeof id === "object" && id !== null ? id : Number(id));
  g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const id = original.setTimeout.call(
      globalThis,
      (...a: unknown[]) => {
        live.delete(key(id));
        (fn as (...a: unknown[]) => void)(...a);
      },
      ms,
      ...args,
    );
    live.add(key(id));
    return id;
  };
  g.clearTimeout = (id: unknown) => {
    live.delete(key(id));
    return original.clearTimeout.call(globalThis, id);
  };
  g.setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const id = original.setInterval.call(globalThis, fn, ms, ...args);
    live.add(key(id));
    return id;
  };
  g.clearInterval = (id: unknown) => {
    live.delete(key(id));
    return original.clearInterval.call(globalThis, id);
  };
  return {
    live: () => live.size,
    restore() {
      Object.assign(g, original);
    },
  };
}

/** An AbortSignal whose listeners are counted. */
export interface CountedSignal {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** Listeners added and not removed (a `once` listener that fired counts as removed). */
  listeners(): number;
}

/**
 * An AbortController whose signal counts its `abort` listeners, to prove none is left behind.
 * @returns the controller, its signal and the count
 */
export function countedSignal(): CountedSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const active = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, fn: EventListenerOrEventListenerObject, options?: unknown) => {
    if (type === "abort" && fn) active.add(fn);
    add(type, fn, options as AddEventListenerOptions);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListenerOrEventListenerObject, options?: unknown) => {
    if (type === "abort") active.delete(fn);
    remove(type, fn, options as EventListenerOptions);
  }) as typeof signal.removeEventListener;
  // Once the signal fired, `once` listeners are gone: nothing can be left behind on it any more.
  add("abort", () => active.clear(), { once: true });
  return { controller, signal, listeners: () => active.size };
}

/**
 * Waits until `check` returns an empty list (resources released asynchronously: socket close events,
 * timers of the peer winding down), or the deadline passes.
 * @param check returns what is still held
 * @param deadlineMs how long to wait at most
 * @returns what is still held at the end (empty: nothing leaked)
 */
export async function settle(check: () => string[], deadlineMs = 1000): Promise<string[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const held = check();
    if (held.length === 0 || Date.now() >= until) return held;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
