// The server's user database, built once at startup the way createUser fills mongod's
// admin.system.users: each mechanism derives what it stores, and the plaintext is dropped.
import type { ServerConfig, UserConfig } from "./config.ts";
import type { SaslMechanismServer, StoredUser } from "./sasl.ts";

/** Users by "db\0user"; lookups are exact, like mongod's (no case folding, no SASLprep). */
export class UserStore {
  readonly #users = new Map<string, StoredUser>();

  /**
   * @param users the stored users
   * @throws TypeError when two users share a name in one database
   */
  constructor(users: readonly StoredUser[]) {
    for (const user of users) {
      const key = UserStore.#key(user.user, user.db);
      if (this.#users.has(key)) throw new TypeError(`duplicate user ${user.user} in ${user.db}`);
      this.#users.set(key, user);
    }
  }

  /** The user `user` of database `db`, or undefined. */
  find(user: string, db: string): StoredUser | undefined {
    return this.#users.get(UserStore.#key(user, db));
  }

  static #key(user: string, db: string): string {
    return `${db}\0${user}`;
  }
}

/**
 * Builds the user store from the configuration.
 * @param config the normalized configuration
 * @param mechanisms the mechanisms the server speaks
 * @returns the store
 * @throws TypeError when a user lists a mechanism the server doesn't speak, or a mechanism
 *   rejects the user (e.g. no password for SCRAM)
 */
export function buildUserStore(config: ServerConfig, mechanisms: readonly SaslMechanismServer[]): UserStore {
  return new UserStore((config.users ?? []).map((user) => storeUser(user, config, mechanisms)));
}

function storeUser(
  user: UserConfig,
  config: ServerConfig,
  mechanisms: readonly SaslMechanismServer[],
): StoredUser {
  const credentials = new Map<string, unknown>();
  for (const name of user.mechanisms) {
    const mechanism = mechanisms.find((m) => m.name === name);
    if (mechanism === undefined) {
      throw new TypeError(
        `user ${user.user}@${user.db} lists ${name}, which the reference server does not speak`,
      );
    }
    credentials.set(name, mechanism.storeCredential?.(user, config));
  }
  return {
    db: user.db,
    user: user.user,
    mechanisms: [...user.mechanisms],
    roles: [...(user.roles ?? [])],
    credentials,
  };
}

/**
 * The configuration without any password, as mechanisms see it at run time.
 * @param config the configuration
 * @returns a copy whose users carry no `password`
 */
export function withoutPasswords<T extends ServerConfig>(config: T): T {
  return { ...config, users: (config.users ?? []).map(({ password: _password, ...user }) => user) };
}
