// A client's last plan (src/client/plan-cache.ts): found again for the same connection string, transport and
// options, each option's value as it is; the call's own signal and listeners do not count.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PlanCache } from "../../src/client/plan-cache.ts";
import { nodeTransport } from "../../src/transport/node.ts";
import type { Transport } from "../../src/client/transport.ts";

const URI = "mongodb://db.example.com/?appName=pool";

describe("PlanCache", () => {
  it("finds the plan for the same string, transport and options, given as a new object", () => {
    const plans = new PlanCache<string>();
    assert.equal(plans.find(nodeTransport, URI, {}), undefined);
    plans.keep(nodeTransport, URI, { connectTimeoutMS: 5000, maxConnecting: undefined }, "plan");
    assert.equal(plans.find(nodeTransport, URI, { connectTimeoutMS: 5000 }), "plan");
  });

  it("whatever the call's own signal and listeners", () => {
    const plans = new PlanCache<string>();
    plans.keep(nodeTransport, URI, { signal: AbortSignal.abort(), onWarning: () => {} }, "plan");
    const theirs = { signal: new AbortController().signal, onWarning: () => {}, onEvent: () => {} };
    assert.equal(plans.find(nodeTransport, URI, theirs), "plan");
  });

  it("not for another string, transport, option value, or an option more or less", () => {
    const plans = new PlanCache<string>();
    plans.keep(nodeTransport, URI, { connectTimeoutMS: 5000 }, "plan");
    const others: [Transport, string, Record<string, unknown>][] = [
      [nodeTransport, `${URI}&connectTimeoutMS=100`, { connectTimeoutMS: 5000 }],
      [{ ...nodeTransport }, URI, { connectTimeoutMS: 5000 }],
      [nodeTransport, URI, { connectTimeoutMS: 4000 }],
      [nodeTransport, URI, {}],
      [nodeTransport, URI, { connectTimeoutMS: 5000, appName: "other" }],
    ];
    for (const [transport, uri, options] of others) {
      assert.equal(plans.find(transport, uri, options), undefined, `${uri} ${JSON.stringify(options)}`);
    }
  });

  it("an object option is the same only as the same object (one changed in place is not seen)", () => {
    const plans = new PlanCache<string>();
    const driverInfo = { name: "pool-lib", version: "1.0" };
    plans.keep(nodeTransport, URI, { driverInfo }, "plan");
    assert.equal(plans.find(nodeTransport, URI, { driverInfo }), "plan");
    assert.equal(plans.find(nodeTransport, URI, { driverInfo: { ...driverInfo } }), undefined);
  });

  it("keeps only the last", () => {
    const plans = new PlanCache<string>();
    plans.keep(nodeTransport, URI, {}, "first");
    plans.keep(nodeTransport, `${URI}&appName=b`, {}, "second");
    assert.equal(plans.find(nodeTransport, URI, {}), undefined);
    assert.equal(plans.find(nodeTransport, `${URI}&appName=b`, {}), "second");
  });

  it("an option named like an Object.prototype member is an option like any other", () => {
    const plans = new PlanCache<string>();
    plans.keep(nodeTransport, URI, {}, "plan");
    assert.equal(plans.find(nodeTransport, URI, { toString: Object.prototype.toString } as never), undefined);
  });
});
