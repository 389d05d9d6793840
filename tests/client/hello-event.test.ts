import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { helloAttributes, listedMechanisms, serverRole } from "../../src/client/hello-event.ts";

describe("serverRole", () => {
  it("reads the topology role from hello as the SDAM specification does", () => {
    assert.equal(serverRole({ isWritablePrimary: true }), "standalone");
    assert.equal(serverRole({ isWritablePrimary: true, setName: "rs0" }), "primary");
    assert.equal(serverRole({ ismaster: true, setName: "rs0" }), "primary");
    assert.equal(serverRole({ secondary: true, setName: "rs0" }), "secondary");
    assert.equal(serverRole({ arbiterOnly: true, setName: "rs0" }), "arbiter");
    assert.equal(serverRole({ setName: "rs0", hidden: true }), "other");
    assert.equal(serverRole({ isreplicaset: true }), "other");
    assert.equal(serverRole({ msg: "isdbgrid" }), "mongos");
    assert.equal(serverRole({ serviceId: "x", msg: "isdbgrid" }), "mongos");
    assert.equal(serverRole({ serviceId: "x" }), "load balancer");
  });
});

describe("helloAttributes", () => {
  it("names the release of a known wire version, the member's own name, the user's mechanisms and what became of the speculative step", () => {
    assert.deepEqual(
      helloAttributes(
        {
          isWritablePrimary: true,
          setName: "rs0",
          me: "mongo1:27017",
          maxWireVersion: 25,
          minWireVersion: 0,
          saslSupportedMechs: ["SCRAM-SHA-256", 1],
        },
        { command: "hello", mechsAskedFor: "admin.alice", speculative: true },
      ),
      {
        command: "hello",
        maxWireVersion: 25,
        minWireVersion: 0,
        serverRelease: "8.0",
        role: "primary",
        setName: "rs0",
        me: "mongo1:27017",
        mechsAskedFor: "admin.alice",
        saslSupportedMechs: ["SCRAM-SHA-256"],
        speculative: "not answered",
        serverApi: undefined,
        compression: undefined,
      },
    );
    const legacy = helloAttributes({ maxWireVersion: 22, speculativeAuthenticate: {} }, {
      command: "isMaster",
      speculative: true,
    });
    assert.equal(legacy.serverRelease, undefined, "a rapid release's wire version is shown as a number only");
    assert.equal(legacy.speculative, "answered");
    assert.equal(helloAttributes({}, { command: "hello", speculative: false }).speculative, "not sent");
  });

  it("carries the declared Stable API version, and none without one", () => {
    const declared = helloAttributes({}, { command: "hello", speculative: false, serverApi: "1 (strict)" });
    assert.equal(declared.serverApi, "1 (strict)");
    assert.equal(helloAttributes({}, { command: "hello", speculative: false }).serverApi, undefined);
  });

  it("carries the compressor negotiated (or none), and nothing when none was offered", () => {
    for (const compression of ["zlib", "none"]) {
      assert.equal(
        helloAttributes({}, { command: "hello", speculative: false, compression }).compression,
        compression,
      );
    }
    assert.equal(helloAttributes({}, { command: "hello", speculative: false }).compression, undefined);
  });
});

describe("listedMechanisms", () => {
  it("keeps the strings hello lists, in order, and leaves out anything else (a document, a number, null)", () => {
    const listed = [1, "SCRAM-SHA-256", { toString: 1 }, null, "SCRAM-SHA-1", ["PLAIN"]];
    assert.deepEqual(listedMechanisms({ saslSupportedMechs: listed }), ["SCRAM-SHA-256", "SCRAM-SHA-1"]);
    assert.deepEqual(listedMechanisms({ saslSupportedMechs: [{ toString: 1 }] }), []);
  });

  it("is undefined when hello has no list: the server has no such user there, or was not asked", () => {
    assert.equal(listedMechanisms({ ok: 1 }), undefined);
    assert.equal(listedMechanisms({ saslSupportedMechs: "SCRAM-SHA-256" }), undefined);
  });
});
