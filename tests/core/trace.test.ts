import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { attachTrace, stopwatch, type TraceEvent, TraceRecorder } from "../../src/core/trace.ts";
import { MongoAuthError } from "../../src/core/errors.ts";

describe("TraceRecorder", () => {
  it("records events in order, with the clock's time, and hands each to the listener as it happens", () => {
    const seen: string[] = [];
    let clock = 100;
    const trace = new TraceRecorder({ onEvent: (e) => seen.push(`${e.type}@${e.time}`), now: () => clock++ });
    trace.emit("connect.started", { scheme: "mongodb", hosts: ["h:1"] });
    trace.emit("socket.opened", { host: "h", port: 1, tls: false }, 1.23456);
    assert.deepEqual(seen, ["connect.started@100", "socket.opened@101"]);
    assert.deepEqual(trace.events.map((e) => e.type), ["connect.started", "socket.opened"]);
    assert.equal(trace.events[1].durationMs, 1.235);
  });

  it("leaves out attributes given as undefined (OpenTelemetry has no undefined) and freezes every event", () => {
    const trace = new TraceRecorder();
    const hosts = ["a:1"];
    trace.emit("dns.srv", { name: "_mongodb._tcp.x", hosts, selected: undefined });
    const [event] = trace.events;
    assert.deepEqual(Object.keys(event.attributes), ["name", "hosts"]);
    assert.ok(Object.isFrozen(event) && Object.isFrozen(event.attributes));
    hosts.push("b:2");
    assert.deepEqual((event as Extract<TraceEvent, { type: "dns.srv" }>).attributes.hosts, ["a:1"]);
    assert.equal("durationMs" in event, false);
  });

  it("without a listener, makes the events when the trace is first read: one array, which later events add to", () => {
    let clock = 100;
    const trace = new TraceRecorder({ now: () => clock++ });
    trace.emit("option.warning", { message: "w1" });
    clock = 200;
    const events = trace.events;
    assert.deepEqual(
      events.map((e) => [e.type, e.time]),
      [["option.warning", 100]],
      "the time it was emitted",
    );
    const first = events[0];
    trace.emit("socket.opened", { host: "h", port: 1, tls: false, proxy: undefined }, 2);
    assert.equal(events.length, 2, "whoever holds the array has what was emitted after it was read");
    assert.equal(trace.events, events, "the same array");
    assert.equal(events[0], first, "an event is made once");
    assert.deepEqual(events[1], {
      type: "socket.opened",
      time: 200,
      durationMs: 2,
      attributes: { host: "h", port: 1, tls: false },
    });
    assert.ok(Object.isFrozen(events[1]) && Object.isFrozen(events[1].attributes));
  });

  it("swallows a listener that throws, records that it did, and does not hand that record to it", () => {
    const seen: string[] = [];
    const trace = new TraceRecorder({
      onEvent: (e) => {
        seen.push(e.type);
        throw new TypeError("bug in the listener");
      },
    });
    trace.emit("option.warning", { message: "w1" });
    trace.emit("option.warning", { message: "w2" });
    assert.deepEqual(seen, ["option.warning", "option.warning"]);
    assert.deepEqual(trace.events.map((e) => e.type), [
      "option.warning",
      "trace.listener_failed",
      "option.warning",
      "trace.listener_failed",
    ]);
    assert.deepEqual(trace.events[1].attributes, { failedType: "option.warning", error: "TypeError" });
  });

  it("records a listener's rejected promise the same way", async () => {
    const trace = new TraceRecorder({ onEvent: (() => Promise.reject(new RangeError("x"))) as never });
    trace.emit("option.warning", { message: "w" });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(trace.events.at(-1)?.attributes, { failedType: "option.warning", error: "RangeError" });
  });
});

describe("attachTrace", () => {
  it("gives an error the trace, not enumerable (logging the error stays short), once", () => {
    const first = new TraceRecorder();
    first.emit("option.warning", { message: "first" });
    const err = new MongoAuthError("TIMEOUT", "timed out");
    assert.equal(attachTrace(err, first), err);
    assert.equal(err.trace, first.events);
    assert.equal(Object.keys(err).includes("trace"), false);
    assert.equal(JSON.stringify(err).includes("first"), false);
    attachTrace(err, new TraceRecorder());
    assert.equal(err.trace, first.events, "the first trace stays");
  });

  it("leaves values that are not objects, and frozen errors, alone", () => {
    const trace = new TraceRecorder();
    assert.equal(attachTrace("oops", trace), "oops");
    const frozen = Object.freeze(new Error("x"));
    assert.equal(attachTrace(frozen, trace), frozen);
  });
});

describe("stopwatch", () => {
  it("measures from when it was made, never going back", () => {
    const elapsed = stopwatch();
    const first = elapsed();
    assert.ok(first >= 0 && elapsed() >= first);
  });
});
