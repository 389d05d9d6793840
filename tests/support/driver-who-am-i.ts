// Who the official `mongodb` driver is logged in as, for the interop tests: one client, one
// connectionStatus, the client closed whatever happens.
import { MongoClient, type MongoClientOptions } from "mongodb";

/** The users connectionStatus lists for a driver client of `uri`; rejects with the driver's error. */
export async function driverAuthenticatedUsers(
  uri: string,
  options: MongoClientOptions = {},
): Promise<unknown> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000, maxPoolSize: 1, ...options });
  try {
    const status = await client.db("admin").command({ connectionStatus: 1 });
    return status.authInfo.authenticatedUsers;
  } finally {
    await client.close();
  }
}
