// What the server says about a connection, and the refusal a test expects: shared by the end-to-end tests.
import assert from "node:assert/strict";
import { type Document, MongoAuthError } from "@mongo-auth/core";

/** The first authenticated user connectionStatus names, e.g. `{ user: "alice", db: "admin" }`. */
export async function whoami(
  conn: { command(db: string, cmd: Document): Promise<Document> },
): Promise<Document> {
  const status = await conn.command("admin", { connectionStatus: 1 });
  return ((status.authInfo as Document).authenticatedUsers as Document[])[0];
}

/** What `promise` rejects with, which must be a `MongoAuthError`; fails the test if it resolves. */
export async function refusal(promise: Promise<unknown>): Promise<MongoAuthError> {
  const err = await promise.then(() => assert.fail("expected a failure"), (e: unknown) => e);
  assert.ok(err instanceof MongoAuthError, `expected a MongoAuthError, got ${err}`);
  return err;
}
