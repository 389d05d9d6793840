// The hosts of the handshake specification's prose test 1 (source/mongodb-handshake/tests/README.md), for
// tests/client/handshake.test.ts and tests/e2e/handshake.test.ts.
import type { HostDescription } from "@mongo-auth/core";

// A host whose variables are `vars` (nothing else set), inside Docker or not.
export function hostWith(vars: Record<string, string>, dockerenv = false): HostDescription {
  return {
    os: { name: "linux", architecture: "x86_64", version: "6.8.0" },
    getEnv: (name) => vars[name],
    dockerenv,
  };
}

// The handshake specification's prose test 1 (source/mongodb-handshake/tests/README.md): the environment
// variable sets and what client.env must hold for each.
export const SPEC_ENVIRONMENTS: { name: string; vars: Record<string, string>; env: unknown }[] = [
  {
    name: "1. valid AWS",
    vars: {
      AWS_EXECUTION_ENV: "AWS_Lambda_java8",
      AWS_REGION: "us-east-2",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
    },
    env: { name: "aws.lambda", region: "us-east-2", memory_mb: 1024 },
  },
  { name: "2. valid Azure", vars: { FUNCTIONS_WORKER_RUNTIME: "node" }, env: { name: "azure.func" } },
  {
    name: "3. valid GCP",
    vars: {
      K_SERVICE: "servicename",
      FUNCTION_MEMORY_MB: "1024",
      FUNCTION_TIMEOUT_SEC: "60",
      FUNCTION_REGION: "us-central1",
    },
    env: { name: "gcp.func", timeout_sec: 60, memory_mb: 1024, region: "us-central1" },
  },
  {
    name: "4. valid Vercel",
    vars: { VERCEL: "1", VERCEL_REGION: "cdg1" },
    env: { name: "vercel", region: "cdg1" },
  },
  {
    name: "5. invalid: multiple providers",
    vars: { AWS_EXECUTION_ENV: "AWS_Lambda_java8", FUNCTIONS_WORKER_RUNTIME: "node" },
    env: undefined,
  },
  {
    name: "6. invalid: long string",
    vars: { AWS_EXECUTION_ENV: "AWS_Lambda_java8", AWS_REGION: "a".repeat(512) },
    env: { name: "aws.lambda" }, // in the document: the region goes to keep it within 512 bytes
  },
  {
    name: "7. invalid: wrong types",
    vars: { AWS_EXECUTION_ENV: "AWS_Lambda_java8", AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "big" },
    env: { name: "aws.lambda" },
  },
  {
    name: "8. invalid: AWS_EXECUTION_ENV not AWS_Lambda_*",
    vars: { AWS_EXECUTION_ENV: "EC2" },
    env: undefined,
  },
  {
    name: "9. valid container and FaaS provider",
    vars: {
      AWS_EXECUTION_ENV: "AWS_Lambda_java8",
      AWS_REGION: "us-east-2",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
      KUBERNETES_SERVICE_HOST: "1",
    },
    env: {
      name: "aws.lambda",
      region: "us-east-2",
      memory_mb: 1024,
      container: { orchestrator: "kubernetes" },
    },
  },
];
