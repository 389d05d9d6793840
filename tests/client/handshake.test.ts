// hello's client metadata within the handshake specification's limits (src/client/handshake.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BSON } from "bson";
import { checkAppName, clientMetadata, MAX_CLIENT_METADATA_BYTES } from "../../src/client/handshake.ts";
import { VERSION } from "../../src/core/version.ts";

const utf8 = (text: string) => new TextEncoder().encode(text).length;

describe("checkAppName", () => {
  it("accepts up to 128 bytes of UTF-8", () => {
    checkAppName("a".repeat(128));
    checkAppName("é".repeat(64)); // two bytes each
  });

  it("refuses more with INVALID_OPTION, counting bytes rather than characters", () => {
    assert.throws(() => checkAppName("a".repeat(129)), {
      code: "INVALID_OPTION",
      message: /appName must be at most 128 bytes of UTF-8, this one has 129/,
    });
    assert.throws(() => checkAppName("é".repeat(65)), { code: "INVALID_OPTION", message: /has 130/ });
  });
});

describe("clientMetadata", () => {
  const runtime = { osType: "Linux", platform: "Node.js v22" };

  it("names the driver, the OS type, the platform and the application", () => {
    assert.deepEqual(clientMetadata(runtime, "billing"), {
      application: { name: "billing" },
      driver: { name: "mongo-auth", version: VERSION },
      os: { type: "Linux" },
      platform: "Node.js v22",
    });
    assert.equal(clientMetadata(runtime).application, undefined);
  });

  it("shortens a long platform so the document stays within 512 bytes, the application name intact", () => {
    const client = clientMetadata({ osType: "Linux", platform: "p".repeat(2000) }, "a".repeat(128));
    assert.equal(BSON.calculateObjectSize(client), MAX_CLIENT_METADATA_BYTES);
    assert.equal(client.application?.name, "a".repeat(128));
    assert.match(client.platform, /^p+$/);
  });

  it("never splits a character when it shortens", () => {
    const client = clientMetadata({ osType: "Linux", platform: "€".repeat(400) }, "a".repeat(127));
    assert.ok(BSON.calculateObjectSize(client) <= MAX_CLIENT_METADATA_BYTES);
    assert.ok(BSON.calculateObjectSize(client) > MAX_CLIENT_METADATA_BYTES - 3);
    assert.match(client.platform, /^€+$/);
    assert.equal(utf8(client.platform) % 3, 0);
  });

  it("shortens the OS type last, when the platform alone cannot make room", () => {
    const client = clientMetadata({ osType: "o".repeat(1000), platform: "p".repeat(1000) });
    assert.equal(client.platform, "");
    assert.ok(client.os.type.length > 0);
    assert.equal(BSON.calculateObjectSize(client), MAX_CLIENT_METADATA_BYTES);
  });
});
