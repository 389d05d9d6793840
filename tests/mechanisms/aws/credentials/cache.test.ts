// The cache of temporary AWS credentials: one entry, valid until five minutes before it expires, cleared
// after an authentication failure.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AwsCredentialCache, EXPIRY_MARGIN_MS } from "../../../../src/mechanisms/aws/credentials/cache.ts";

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 60 * 60 * 1000;
const temporary = (expiresAt: number) => ({
  accessKeyId: "ASIATEMPORARY",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date(expiresAt),
});

describe("AwsCredentialCache", () => {
  it("is empty until credentials are set", () => {
    assert.equal(new AwsCredentialCache().get(NOW), undefined);
  });

  it("returns what was set: the credentials, their source and identity", () => {
    const cache = new AwsCredentialCache();
    const credentials = temporary(NOW + HOUR);
    const identity = { arn: "arn:aws:sts::123456789012:assumed-role/app/session", from: "the ECS endpoint" };
    cache.set(credentials, "the ECS endpoint", identity);
    const entry = cache.get(NOW);
    assert.equal(entry?.credentials, credentials);
    assert.equal(entry?.source, "the ECS endpoint");
    assert.equal(entry?.identity, identity);
  });

  it("has a margin of five minutes", () => {
    assert.equal(EXPIRY_MARGIN_MS, 5 * 60 * 1000);
  });

  it("serves credentials until five minutes before they expire, and forgets them from then on", () => {
    const cache = new AwsCredentialCache();
    cache.set(temporary(NOW + HOUR), "the IMDS");
    assert.ok(cache.get(NOW + HOUR - EXPIRY_MARGIN_MS - 1));
    assert.equal(cache.get(NOW + HOUR - EXPIRY_MARGIN_MS), undefined);
    // Forgotten, not only hidden: an earlier clock does not bring them back.
    assert.equal(cache.get(NOW), undefined);
  });

  it("keeps credentials without an expiration until cleared", () => {
    const cache = new AwsCredentialCache();
    cache.set({ accessKeyId: "AKIDSTATIC", secretAccessKey: "secret" }, "a provider");
    assert.ok(cache.get(NOW + 1000 * 365 * 24 * HOUR));
    cache.clear();
    assert.equal(cache.get(NOW), undefined);
  });

  it("replaces the entry whole on set", () => {
    const cache = new AwsCredentialCache();
    cache.set(temporary(NOW + HOUR), "first", { arn: "arn:first", from: "first" });
    cache.set(temporary(NOW + 2 * HOUR), "second");
    const entry = cache.get(NOW + HOUR);
    assert.equal(entry?.source, "second");
    assert.equal(entry?.identity, undefined);
  });
});
