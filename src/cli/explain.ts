/**
 * The trace and hints of `mongo-auth whoami --explain`, for a person: one aligned line per event (time
 * since the start, the event's type, what it says), then each hint with its evidence. Colour only when
 * asked (the CLI asks on a terminal without `NO_COLOR`). Events hold no secret, so neither does this.
 *
 * @module
 */
import type { Hint } from "../client/hints.ts";
import type { TraceEvent } from "../core/trace.ts";
import { hostPort, isSocketPath } from "../topology/server-description.ts";
import { SLOW_CHECK_MS } from "../client/discovery.ts";

/** How to print. */
export interface ExplainStyle {
  /** ANSI colours. */
  readonly color: boolean;
}

const ANSI = { dim: 2, red: 31, green: 32, yellow: 33, cyan: 36, bold: 1 } as const;

function paint(style: ExplainStyle, code: keyof typeof ANSI, text: string): string {
  return style.color ? `\x1b[${ANSI[code]}m${text}\x1b[0m` : text;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const q = (text: string) => JSON.stringify(text);
const list = (
  items: readonly string[] | undefined,
) => (items && items.length > 0 ? items.join(", ") : "none");

/**
 * What one event says, in words (without its type and time).
 *
 * @param event the event
 * @returns one line
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeEvent } from "./explain.ts";
 *
 * const line = describeEvent({ type: "socket.opened", time: 0, durationMs: 1.25, attributes: { host: "h", port: 1, tls: false } });
 * assert.equal(line, "h:1, plain TCP (1.3 ms)");
 * ```
 */
export function describeEvent(event: TraceEvent): string {
  const took = event.durationMs === undefined ? "" : ` (${ms(event.durationMs)})`;
  return describe(event) + took;
}

function describe(event: TraceEvent): string {
  switch (event.type) {
    case "connect.started": {
      const { scheme, hosts } = event.attributes;
      // A socket path written as the connection string writes it, so that it does not read as a URI's path.
      return `${scheme}://${
        hosts.map((host) => (isSocketPath(host) ? encodeURIComponent(host) : host)).join(",")
      }`;
    }
    case "option.warning":
      return `warning: ${event.attributes.message}`;
    case "dns.srv": {
      const { name, hosts, selected, reused } = event.attributes;
      return `${name}: ${list(hosts)}` + (selected ? `; srvMaxHosts keeps ${list(selected)}` : "") +
        (reused ? " (looked up by an earlier connection)" : "");
    }
    case "dns.txt": {
      const { name, found, applied, ignored } = event.attributes;
      if (!found) return `${name}: no TXT record`;
      return `${name}: applied ${list(applied)}` +
        (ignored.length > 0 ? `; ignored ${ignored.join("; ")}` : "");
    }
    case "auth.source": {
      const { db, reason } = event.attributes;
      return `${q(db)}: ${reason}`;
    }
    case "host.connecting": {
      const { host, port, attempt, of, beside, slowAfterMs = SLOW_CHECK_MS } = event.attributes;
      return hostPort({ host, port }) + (of > 1 ? ` (host ${attempt} of ${of})` : "") +
        (beside ? `, beside ${beside.join(", ")}, which had not answered in ${ms(slowAfterMs)}` : "");
    }
    case "socket.opened": {
      const { host, port, tls, proxy } = event.attributes;
      const socket = isSocketPath(host);
      const over = tls
        ? (socket ? "TLS over a UNIX domain socket" : "TLS")
        : (socket ? "UNIX domain socket" : "plain TCP");
      return `${hostPort({ host, port })}, ${over}` + (proxy ? ` through SOCKS5 proxy ${proxy}` : "");
    }
    case "tls.handshake":
      return describeHandshake(event.attributes);
    case "tls.failed": {
      const { reason, detail, serverAltNames } = event.attributes;
      return `${reason}: ${detail}` + (serverAltNames ? `; certificate names ${list(serverAltNames)}` : "");
    }
    case "tls.plain_probe": {
      const { host, port, answered, serverRelease, detail } = event.attributes;
      return answered
        ? `${hostPort({ host, port })} answers hello without TLS` +
          (serverRelease ? ` (MongoDB ${serverRelease})` : "")
        : `${hostPort({ host, port })} does not answer hello without TLS: ${detail}`;
    }
    case "host.failed": {
      const { host, port, code } = event.attributes;
      return `${hostPort({ host, port })}: ${code}`;
    }
    case "topology.updated": {
      const { type, setName, servers } = event.attributes;
      return `${type}${setName ? ` ${setName}` : ""}: ${list(servers)}`;
    }
    case "server.selected": {
      const a = event.attributes;
      const tags = a.readPreferenceTags ? ` tags ${a.readPreferenceTags.join(" | ")}` : "";
      const among = a.candidates > 1 ? `, at random among ${a.candidates} in the latency window` : "";
      return `${hostPort(a)} ${a.serverType} of ${a.topology}, read preference ${a.readPreference}${tags}` +
        `${among} (${a.checks} server${a.checks === 1 ? "" : "s"} checked` +
        (a.waitedMs === undefined ? "" : ` after waiting ${ms(a.waitedMs)} for another connection's scan`) +
        (a.abandoned === undefined ? "" : `; not waited for: ${list(a.abandoned)}`) +
        (a.rememberedMs === undefined
          ? ")"
          : `; the others as an earlier connection found them ${ms(a.rememberedMs)} ago)`);
    }
    case "hello": {
      const a = event.attributes;
      const server = a.serverRelease
        ? `MongoDB ${a.serverRelease} (wire ${a.maxWireVersion})`
        : `wire ${a.maxWireVersion}`;
      const from = a.host === undefined || a.port === undefined
        ? undefined
        : hostPort({ host: a.host, port: a.port });
      const as = a.me !== undefined && a.me.toLowerCase() !== from?.toLowerCase() ? ` as ${a.me}` : "";
      const role = a.setName ? `${a.role} of ${a.setName}${as}` : a.role;
      const mechs = a.mechsAskedFor
        ? `; mechanisms of ${a.mechsAskedFor}: ${
          a.saslSupportedMechs ? list(a.saslSupportedMechs) : "none listed"
        }`
        : "";
      const speculative = a.speculative === "not sent" ? "" : `; speculative step ${a.speculative}`;
      const serverApi = a.serverApi === undefined ? "" : `; Stable API ${a.serverApi}`;
      const compression = a.compression === undefined ? "" : `; compression ${a.compression}`;
      return `${from === undefined ? "" : `${from}: `}${
        a.command === "hello" ? "" : `(${a.command}) `
      }${server}, ${role}${mechs}${speculative}${serverApi}${compression}`;
    }
    case "auth.started": {
      const { mechanism, user, db, reauthentication } = event.attributes;
      const who = user === undefined ? "" : `user ${q(user)} `;
      return `${reauthentication ? "again (391), " : ""}${who}on ${q(db)}, ` +
        (mechanism === "negotiate" ? "mechanism to negotiate" : mechanism);
    }
    case "auth.mechanism": {
      const { mechanism, how, reason } = event.attributes;
      return `${mechanism}, ${how}: ${reason}`;
    }
    case "sasl.step": {
      const a = event.attributes;
      const outcome = a.ok
        ? a.done ? "done" : "ok"
        : a.serverCode !== undefined
        ? `refused: ${a.serverCode}${a.codeName ? ` ${a.codeName}` : ""}`
        : `failed: ${a.error ?? "error"}`;
      return `${a.step} ${a.command} on ${a.db}: ${outcome}`;
    }
    case "aws.source": {
      const a = event.attributes;
      const what = [
        a.temporary ? "temporary" : undefined,
        a.accessKeyId,
        a.expiresAt && `until ${a.expiresAt}`,
      ]
        .filter(Boolean).join(", ");
      const why = a.reason === undefined
        ? ""
        : a.outcome === "found" || a.outcome === "cached"
        ? ` via ${a.reason}`
        : ` (${a.reason})`;
      return `${a.source}: ${a.outcome}${why}` + (what ? `, ${what}` : "");
    }
    case "aws.identity": {
      const { arn, from, user } = event.attributes;
      return `${arn} (from ${from}); the $external user is ${user}`;
    }
    case "aws.identity.unknown":
      return event.attributes.reason;
    case "oidc.source": {
      const { source, flow, tokenResource } = event.attributes;
      return `${source} (${flow})` + (tokenResource ? `, TOKEN_RESOURCE ${tokenResource}` : "");
    }
    case "oidc.idp": {
      const { issuer, clientId, requestScopes } = event.attributes;
      return `issuer ${issuer}` + (clientId ? `, client ${clientId}` : "") +
        (requestScopes ? `, scopes ${list(requestScopes)}` : "");
    }
    case "oidc.token": {
      const a = event.attributes;
      const from = TOKEN_ORIGIN[a.origin];
      if (!a.jwt) return `${from}: not a JWT, no claims to show`;
      const expiry = a.expiresInSeconds === undefined
        ? ""
        : a.expiresInSeconds < 0
        ? `, expired ${-a.expiresInSeconds} s ago (${a.expiresAt})`
        : `, expires in ${a.expiresInSeconds} s (${a.expiresAt})`;
      return `${from}: iss ${a.issuer ?? "-"}, aud ${list(a.audience)}, sub ${a.subject ?? "-"}${expiry}`;
    }
    case "auth.succeeded": {
      const { mechanism, speculative, user, db } = event.attributes;
      return `${user === undefined ? "" : `${q(user)} on ${q(db)} `}with ${mechanism}` +
        (speculative ? " (speculative)" : "");
    }
    case "auth.failed": {
      const { code, serverCode, codeName } = event.attributes;
      return code +
        (serverCode === undefined ? "" : ` (server error ${serverCode}${codeName ? ` ${codeName}` : ""})`);
    }
    case "connect.succeeded": {
      const { host, port, roundTrips } = event.attributes;
      return `${hostPort({ host, port })}, ${roundTrips} round trip${roundTrips === 1 ? "" : "s"}`;
    }
    case "connect.failed":
      return event.attributes.code;
    case "trace.listener_failed":
      return `onEvent threw ${event.attributes.error} on ${event.attributes.failedType}`;
  }
}

const TOKEN_ORIGIN = { cache: "from the cache", callback: "fetched now", refresh: "refreshed now" } as const;

function describeHandshake(a: Extract<TraceEvent, { type: "tls.handshake" }>["attributes"]): string {
  const parts = [
    a.protocol && `${a.protocol}${a.cipher ? ` ${a.cipher}` : ""}`,
    a.serverSubject && `server ${a.serverSubject}`,
    a.serverIssuer && `issued by ${a.serverIssuer}`,
    a.serverValidTo && `valid ${a.serverValidFrom ?? "?"} to ${a.serverValidTo}`,
    a.serverAltNames && `names ${list(a.serverAltNames)}`,
    a.clientSubject && `client certificate ${a.clientSubject}`,
    a.unavailable && `not shown by this runtime: ${a.unavailable.join("; ")}`,
  ];
  return parts.filter(Boolean).join("; ") || "done";
}

const FAILED = new Set([
  "tls.failed",
  "host.failed",
  "auth.failed",
  "connect.failed",
  "trace.listener_failed",
]);
const SUCCEEDED = new Set(["auth.succeeded", "connect.succeeded"]);

/**
 * The trace as aligned lines: time since the first event, type, what it says.
 *
 * @param events the trace
 * @param style colour or not
 * @returns the lines
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTrace } from "./explain.ts";
 *
 * const lines = formatTrace([
 *   { type: "connect.started", time: 1000, attributes: { scheme: "mongodb", hosts: ["h:27017"] } },
 *   { type: "connect.failed", time: 1012, durationMs: 12, attributes: { code: "TIMEOUT", message: "…" } },
 * ], { color: false });
 * assert.deepEqual(lines, [
 *   "   +0 ms  connect.started  mongodb://h:27017",
 *   "  +12 ms  connect.failed   TIMEOUT (12 ms)",
 * ]);
 * ```
 */
export function formatTrace(events: readonly TraceEvent[], style: ExplainStyle): string[] {
  if (events.length === 0) return [];
  const start = events[0].time;
  const offsets = events.map((e) => `+${e.time - start} ms`);
  const timeWidth = Math.max(...offsets.map((o) => o.length));
  const typeWidth = Math.max(...events.map((e) => e.type.length));
  return events.map((event, i) => {
    const type = event.type.padEnd(typeWidth);
    const colour = FAILED.has(event.type) ? "red" : SUCCEEDED.has(event.type) ? "green" : "cyan";
    return `  ${paint(style, "dim", offsets[i].padStart(timeWidth))}  ${paint(style, colour, type)}  ${
      describeEvent(event)
    }`;
  });
}

/**
 * Hints as lines: the advice, then its evidence, aligned.
 *
 * @param hints the hints
 * @param style colour or not
 * @returns the lines
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHints } from "./explain.ts";
 *
 * const lines = formatHints([{ id: "x", message: "Do this.", evidence: [{ event: "hello", fact: "a fact" }] }], { color: false });
 * assert.deepEqual(lines, ["hint: Do this.", "  because  hello  a fact"]);
 * ```
 */
export function formatHints(hints: readonly Hint[], style: ExplainStyle): string[] {
  const lines: string[] = [];
  for (const hint of hints) {
    if (lines.length > 0) lines.push("");
    lines.push(`${paint(style, "yellow", "hint:")} ${hint.message}`);
    const width = Math.max(...hint.evidence.map((e) => e.event.length));
    hint.evidence.forEach(({ event, fact }, i) => {
      const label = i === 0 ? "because" : "       ";
      lines.push(`  ${paint(style, "dim", label)}  ${paint(style, "cyan", event.padEnd(width))}  ${fact}`);
    });
  }
  return lines;
}
