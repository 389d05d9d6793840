// Fuzz: what the MONGODB-OIDC machine environments read — Azure IMDS's JSON, the GCP metadata server's
// token, a Kubernetes or ENVIRONMENT:test token file — mutated, with any status, into the callbacks and from
// there into the whole conversation (the result's checks, the token cache, saslStart). The outcome must be a
// login or a coded error that shows no token the answer held intact. Fetch answers from memory for
// 127.0.0.1 only, files come from memory. See fuzz.ts for the rules and the long mode.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  authenticate,
  type CommandRunner,
  createAzureCallback,
  createGcpCallback,
  createK8sCallback,
  MongoAuthError,
  type OidcCallback,
  parseCredential,
  runtimeEnv,
} from "@mongo-auth/core";
import { failureMessage, fuzzCases, mutateText, type Prng, runFuzz } from "./fuzz.ts";

// Azure's comes in a JSON field, and is redacted by the field's name however short it is; GCP and
// Kubernetes hand out bare JWTs (as they really do), which are redacted by their shape.
const TOKEN = "Zq9FuzzOidcToken";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJl";

/** A set-up that logs in as it is: how its callback is made, and what its source holds. */
interface Scenario {
  readonly name: string;
  readonly token: string;
  readonly source: string;
  readonly callback: (source: () => string, status: () => number) => OidcCallback;
}

function fetchAnswering(body: () => string, status: () => number) {
  return (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "127.0.0.1") return Promise.reject(new TypeError(`refused ${url.origin}`));
    return Promise.resolve(new Response(body(), { status: status() }));
  };
}

function filesEnv(vars: Record<string, string>, path: string, body: () => string) {
  return runtimeEnv({
    env: vars,
    readTextFile: (p) => p === path ? Promise.resolve(body()) : Promise.reject(new Error(`ENOENT: ${p}`)),
    fetch: () => Promise.reject(new TypeError("no network in this fuzz")),
  });
}

const SCENARIOS: Scenario[] = [
  {
    name: "azure",
    token: TOKEN,
    source: JSON.stringify({
      access_token: TOKEN,
      expires_in: "3599",
      expires_on: "1705323600",
      resource: "api://mongodb",
      token_type: "Bearer",
    }),
    callback: (body, status) =>
      createAzureCallback({
        endpoint: "http://127.0.0.1:1",
        fetch: fetchAnswering(body, status),
        tokenResource: "api://mongodb",
      }),
  },
  {
    name: "gcp",
    token: JWT,
    source: `${JWT}\n`,
    callback: (body, status) =>
      createGcpCallback({
        endpoint: "http://127.0.0.1:1",
        fetch: fetchAnswering(body, status),
        tokenResource: "mongodb",
      }),
  },
  {
    name: "k8s",
    token: JWT,
    source: `${JWT}\n`,
    callback: (body) =>
      createK8sCallback({ env: filesEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: "/var/token" }, "/var/token", body) }),
  },
];

// A server that takes any token: saslStart answers done.
const accepting: CommandRunner = {
  command: (_db, cmd) =>
    Promise.resolve(
      cmd.saslStart ? { ok: 1, conversationId: 1, done: true, payload: new Uint8Array(0) } : { ok: 1 },
    ),
};

async function oneCase(rng: Prng): Promise<unknown> {
  const scenario = rng.pick(SCENARIOS);
  const source = rng.chance(0.6) ? mutateText(rng, scenario.source) : scenario.source;
  const status = rng.pick([200, 200, 200, 200, 400, 401, 403, 404, 500]);
  const callback = scenario.callback(() => source, () => status);
  const credential = parseCredential("mongodb://db.example/?authMechanism=MONGODB-OIDC", {
    authMechanismProperties: { OIDC_CALLBACK: callback },
  })!;
  try {
    return await authenticate(accepting, credential, {
      env: runtimeEnv({}),
      signal: AbortSignal.timeout(1_000),
    });
  } catch (err) {
    if (err instanceof MongoAuthError && source === scenario.source) {
      const shown = `${err.message} ${String(err.cause ?? "")}`;
      if (shown.includes(scenario.token)) throw new Error(`the error shows the token: ${err.message}`);
    }
    throw err;
  }
}

describe("fuzz: what the OIDC machine environments read", () => {
  it("Azure IMDS answers, GCP tokens and token files, mutated, with any status: a login, or a coded error without the token", async () => {
    const report = await runFuzz("OIDC environment sources", fuzzCases(3000), oneCase);
    assert.equal(report.failures.length, 0, failureMessage(report));
    assert.ok((report.outcomes.resolved ?? 0) > 0, "some cases still log in");
    assert.ok((report.outcomes.CREDENTIAL_PROVIDER_ERROR ?? 0) > 0, "some cases are refused");
  });
});
