// The device flow's polling rules (RFC 8628 §3.4-3.5) against a loopback token endpoint that answers
// as the RFC describes, with time injected: the interval the identity provider sets, 5 s more on each
// slow_down, and the code's expiry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationServer } from "oauth4webapi";
import { signInOnAnotherDevice } from "../../../../src/mechanisms/oidc/human/device-authorization.ts";
import { idpRequestOptions } from "../../../../src/mechanisms/oidc/human/idp-http.ts";
import { type FakeEndpoint, startEndpoint } from "../../../support/oidc-fakes.ts";

/** A device endpoint and a token endpoint that answers each poll with the next of `answers`. */
async function deviceIdp(answers: string[], authorization: Record<string, unknown> = {}) {
  const polls: string[] = [];
  const endpoint: FakeEndpoint = await startEndpoint((request, response) => {
    const json = (status: number, body: unknown) =>
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify(body));
    if (request.url.pathname === "/device") {
      return json(200, {
        device_code: "device-code",
        user_code: "WDJB-MJHT",
        verification_uri: `${endpoint.url}/activate`,
        expires_in: 600,
        ...authorization,
      });
    }
    const answer = answers[polls.length] ?? "authorization_pending";
    polls.push(answer);
    if (answer === "ok") return json(200, { access_token: "at", token_type: "bearer", expires_in: 60 });
    json(400, { error: answer });
  });
  const as: AuthorizationServer = {
    issuer: endpoint.url,
    device_authorization_endpoint: `${endpoint.url}/device`,
    token_endpoint: `${endpoint.url}/token`,
  };
  return { endpoint, as, polls };
}

function run(as: AuthorizationServer, waits: number[], clock = { now: 0 }) {
  const signal = new AbortController().signal;
  return signInOnAnotherDevice({
    as,
    client: { client_id: "cli" },
    http: idpRequestOptions({ fetch: (input, init) => fetch(input, init), signal, timeoutMs: 5000 }),
    scope: "openid",
    signal,
    showDeviceCode: () => {},
    sleep: (ms) => {
      waits.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    now: () => clock.now,
  });
}

describe("device flow polling", () => {
  it("polls at the identity provider's interval and adds 5 s on each slow_down", async () => {
    const { endpoint, as, polls } = await deviceIdp(
      ["authorization_pending", "slow_down", "authorization_pending", "slow_down", "ok"],
      { interval: 2 },
    );
    try {
      const waits: number[] = [];
      const tokens = await run(as, waits);
      assert.equal(tokens.access_token, "at");
      assert.equal(polls.length, 5);
      assert.deepEqual(waits, [2000, 2000, 7000, 7000, 12_000]);
    } finally {
      await endpoint.close();
    }
  });

  it("waits the RFC's 5 s when the identity provider names no interval", async () => {
    const { endpoint, as } = await deviceIdp(["ok"]);
    try {
      const waits: number[] = [];
      await run(as, waits);
      assert.deepEqual(waits, [5000]);
    } finally {
      await endpoint.close();
    }
  });

  it("stops at the code's expiry without polling past it: OIDC_DEVICE_CODE_EXPIRED", async () => {
    const { endpoint, as, polls } = await deviceIdp([], { expires_in: 12, interval: 5 });
    try {
      const waits: number[] = [];
      await assert.rejects(run(as, waits), { code: "OIDC_DEVICE_CODE_EXPIRED" });
      assert.deepEqual(waits, [5000, 5000, 2000]);
      assert.equal(polls.length, 3);
    } finally {
      await endpoint.close();
    }
  });

  it("expired_token and access_denied from the identity provider end the flow with their codes", async () => {
    for (
      const [answer, code] of [["expired_token", "OIDC_DEVICE_CODE_EXPIRED"], [
        "access_denied",
        "OIDC_SIGN_IN_DECLINED",
      ]]
    ) {
      const { endpoint, as } = await deviceIdp([answer]);
      try {
        await assert.rejects(run(as, []), { code });
      } finally {
        await endpoint.close();
      }
    }
  });
});
