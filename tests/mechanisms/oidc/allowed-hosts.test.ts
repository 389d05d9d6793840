import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_ALLOWED_HOSTS } from "@mongo-auth/core";
import { isHostAllowed } from "../../../src/mechanisms/oidc/allowed-hosts.ts";
import { assertHostAllowed } from "../../../src/mechanisms/oidc/allowed-hosts.ts";

describe("ALLOWED_HOSTS matching", () => {
  it("matches exact names and addresses", () => {
    assert.equal(isHostAllowed("localhost", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("127.0.0.1", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("::1", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("[::1]", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("127.0.0.2", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("localhost.example.com", DEFAULT_ALLOWED_HOSTS), false);
  });

  it("matches *.suffix against subdomains at any depth", () => {
    assert.equal(isHostAllowed("cluster0.abcde.mongodb.net", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("a.mongodbgov.net", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("cluster0-shard-00-00.abcde.mongo.com", DEFAULT_ALLOWED_HOSTS), true);
    assert.equal(isHostAllowed("Cluster0.ABCDE.MongoDB.net", DEFAULT_ALLOWED_HOSTS), true);
  });

  it("never matches a bare suffix: evilmongodb.net is not *.mongodb.net", () => {
    assert.equal(isHostAllowed("evilmongodb.net", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("mongodb.net", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("evilmongo.com", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("mongo.com", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("mongodb.net.evil.com", DEFAULT_ALLOWED_HOSTS), false);
    assert.equal(isHostAllowed("x.mongodb.net.", ["*.mongodb.net"]), false);
  });

  it("an empty list allows nothing, a bare '*.' allows nothing", () => {
    assert.equal(isHostAllowed("localhost", []), false);
    assert.equal(isHostAllowed("a.b", ["*."]), false);
  });

  it("the refusal names the host and says what to change", () => {
    assert.throws(
      () => assertHostAllowed("evilmongodb.net", DEFAULT_ALLOWED_HOSTS),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "INVALID_OPTION");
        assert.match(error.message, /'evilmongodb\.net' is not in ALLOWED_HOSTS/);
        return true;
      },
    );
  });
});
