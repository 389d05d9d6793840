// The Server Discovery and Monitoring spec's tests (tests/spec/data/server-discovery-and-monitoring,
// upstream 92b3c0b): every case of rs/, single/, sharded/ and load-balanced/, phase by phase — each hello
// response becomes a server description and updates the topology, and the phase's outcome (topology type,
// setName, maxSetVersion, maxElectionId, logicalSessionTimeoutMinutes, compatible, and each server's type,
// setName, setVersion, electionId, topologyVersion, wire versions, error) is compared. The folders left
// out need what connect() does not have: errors/ (application errors against a connection pool's
// generations), monitoring/ (SDAM events), unified/ (a MongoClient with monitors).
import { describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { EJSON } from "bson";
import { parseConnectionString } from "@mongo-auth/core";
import { addressKey, describeServer, type ServerDescription } from "../../src/topology/server-description.ts";
import {
  initialTopology,
  type TopologyDescription,
  type TopologySettings,
  updateTopology,
} from "../../src/topology/topology-description.ts";
import { readSpec, specPath } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

interface SdamCase {
  description: string;
  uri: string;
  phases: {
    responses?: [string, Record<string, unknown>][];
    outcome: Record<string, unknown> & { servers: Record<string, Record<string, unknown>> };
  }[];
}

const FOLDERS = ["rs", "single", "sharded", "load-balanced"];

function settingsOf(uri: string): TopologySettings {
  const cs = parseConnectionString(uri);
  const options = cs.parsedOptions;
  return {
    seeds: cs.hosts.map(addressKey),
    ...(options.directConnection !== undefined && { directConnection: options.directConnection }),
    ...(options.replicaSet !== undefined && { replicaSet: options.replicaSet }),
    ...(options.loadBalanced !== undefined && { loadBalanced: options.loadBalanced }),
  };
}

/** An ObjectId (bson's, after EJSON) as the hex digits our descriptions keep. */
function hexOf(value: unknown): string | undefined {
  return value === null || value === undefined
    ? undefined
    : (value as { toHexString(): string }).toHexString();
}

function checkServer(
  address: string,
  actual: ServerDescription | undefined,
  expected: Record<string, unknown>,
) {
  assert.ok(actual, `server ${address} is in the topology`);
  const at = `server ${address}`;
  assert.equal(actual.type, expected.type, `${at} type`);
  if ("setName" in expected) assert.equal(actual.setName, expected.setName ?? undefined, `${at} setName`);
  if ("setVersion" in expected) {
    assert.equal(
      actual.setVersion,
      expected.setVersion === null ? undefined : Number(expected.setVersion),
      `${at} setVersion`,
    );
  }
  if ("electionId" in expected) {
    assert.equal(actual.electionId, hexOf(expected.electionId), `${at} electionId`);
  }
  if ("logicalSessionTimeoutMinutes" in expected) {
    assert.equal(
      actual.logicalSessionTimeoutMinutes,
      expected.logicalSessionTimeoutMinutes ?? undefined,
      `${at} lstm`,
    );
  }
  for (const field of ["minWireVersion", "maxWireVersion"] as const) {
    if (field in expected) assert.equal(actual[field], expected[field] ?? undefined, `${at} ${field}`);
  }
  if ("topologyVersion" in expected) {
    const tv = expected.topologyVersion as { processId: unknown; counter: unknown } | null;
    assert.deepEqual(
      actual.topologyVersion,
      tv === null ? undefined : { processId: hexOf(tv.processId), counter: Number(tv.counter) },
      `${at} topologyVersion`,
    );
  }
  if ("error" in expected && expected.error !== null) {
    assert.ok(actual.error?.includes(String(expected.error)), `${at} error: ${actual.error}`);
  }
}

function checkOutcome(topology: TopologyDescription, outcome: SdamCase["phases"][number]["outcome"]) {
  assert.equal(topology.type, outcome.topologyType, "topologyType");
  if ("setName" in outcome) assert.equal(topology.setName, outcome.setName ?? undefined, "setName");
  if ("maxSetVersion" in outcome) {
    assert.equal(
      topology.maxSetVersion,
      outcome.maxSetVersion === null ? undefined : Number(outcome.maxSetVersion),
    );
  }
  if ("maxElectionId" in outcome) {
    assert.equal(topology.maxElectionId, hexOf(outcome.maxElectionId), "maxElectionId");
  }
  if ("logicalSessionTimeoutMinutes" in outcome) {
    assert.equal(
      topology.logicalSessionTimeoutMinutes,
      outcome.logicalSessionTimeoutMinutes ?? undefined,
      "lstm",
    );
  }
  if ("compatible" in outcome) assert.equal(topology.compatible, outcome.compatible, "compatible");
  assert.deepEqual([...topology.servers.keys()].sort(), Object.keys(outcome.servers).sort(), "servers");
  for (const [address, expected] of Object.entries(outcome.servers)) {
    checkServer(address, topology.servers.get(address), expected);
  }
}

describe(`server-discovery-and-monitoring spec (${runtime})`, () => {
  const tally = specTally(`server-discovery-and-monitoring spec, ${FOLDERS.join(", ")} (${runtime})`);
  for (const folder of FOLDERS) {
    const files = readdirSync(specPath(`server-discovery-and-monitoring/${folder}`)).filter((f) =>
      f.endsWith(".json")
    );
    for (const file of files.sort()) {
      const test = EJSON.deserialize(
        readSpec<Record<string, unknown>>(`server-discovery-and-monitoring/${folder}/${file}`),
        { relaxed: true },
      ) as unknown as SdamCase;
      tally.case(`${folder}/${file}: ${test.description}`, () => {
        const settings = settingsOf(test.uri);
        let topology = initialTopology(settings);
        let clock = 0;
        for (const [index, phase] of test.phases.entries()) {
          for (const [address, hello] of phase.responses ?? []) {
            const server = describeServer(address, hello, {
              lastUpdateTime: ++clock,
              loadBalanced: settings.loadBalanced,
            });
            topology = updateTopology(topology, server, settings);
          }
          try {
            checkOutcome(topology, phase.outcome);
          } catch (error) {
            (error as Error).message = `phase ${index + 1}: ${(error as Error).message}`;
            throw error;
          }
        }
      });
    }
  }
});
