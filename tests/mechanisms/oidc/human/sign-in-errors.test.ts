// What goes wrong with the identity provider, as errors a person can act on: each its code, what to do,
// and never the identity provider's answer (which may hold tokens) as a cause.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AuthorizationResponseError, OperationProcessingError, ResponseBodyError } from "oauth4webapi";
import { MongoAuthError } from "@mongo-auth/core";
import {
  declined,
  idpError,
  redirectError,
  strippedCause,
} from "../../../../src/mechanisms/oidc/human/sign-in-errors.ts";

const ISSUER = "https://idp.example";

function authorizationError(error: string, description?: string): AuthorizationResponseError {
  const parameters = new URLSearchParams({
    error,
    ...(description ? { error_description: description } : {}),
  });
  return new AuthorizationResponseError("authorization response from the server is an error", {
    cause: parameters,
  });
}

function tokenEndpointError(error: string, body: Record<string, unknown>): ResponseBodyError {
  const response = new Response(JSON.stringify(body), { status: 400 });
  return new ResponseBodyError("server responded with an error in the response body", {
    cause: { error, ...body },
    response,
  });
}

describe("redirectError", () => {
  it("access_denied: OIDC_SIGN_IN_DECLINED, naming the client to ask about", () => {
    const error = redirectError(authorizationError("access_denied", "user said no"), ISSUER, "cli");
    assert.equal(error.code, "OIDC_SIGN_IN_DECLINED");
    assert.match(error.message, /declined \(access_denied: user said no\): sign in again .* the client cli/);
  });

  it("any other error of the redirect: OIDC_REDIRECT_ERROR, pointing at the client's configuration", () => {
    const error = redirectError(authorizationError("invalid_scope"), ISSUER, "cli");
    assert.equal(error.code, "OIDC_REDIRECT_ERROR");
    assert.match(error.message, /redirected back with the error invalid_scope: check the client cli/);
  });

  it("a state this sign-in did not send: OIDC_STATE_MISMATCH, saying nothing was exchanged", () => {
    const mismatch = new OperationProcessingError('unexpected "state" response parameter value');
    const error = redirectError(mismatch, ISSUER, "cli");
    assert.equal(error.code, "OIDC_STATE_MISMATCH");
    assert.match(error.message, /nothing was exchanged/);
  });

  it("the identity provider's description is shown redacted", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const error = redirectError(authorizationError("server_error", `bad ${token}`), ISSUER, "cli");
    assert.ok(!error.message.includes(token));
  });
});

describe("idpError", () => {
  it("a refusal of the token endpoint: CREDENTIAL_PROVIDER_ERROR with its error code, no body as cause", () => {
    const refusal = tokenEndpointError("invalid_client", { access_token: "leaked" });
    const error = idpError(refusal, "exchanging the authorization code", ISSUER);
    assert.equal(error.code, "CREDENTIAL_PROVIDER_ERROR");
    assert.match(error.message, /refused exchanging the authorization code: invalid_client/);
    assert.equal(error.cause, undefined);
  });

  it("an invalid answer: its code and message only, as a plain Error cause", () => {
    const invalid = new OperationProcessingError('"response" body "token_type" property must be "bearer"');
    const error = idpError(invalid, "refreshing the access token", ISSUER);
    assert.match(error.message, /not valid OpenID Connect/);
    assert.ok(error.cause instanceof Error && !(error.cause instanceof OperationProcessingError));
    assert.deepEqual(Object.keys(strippedCause(invalid)), []);
  });

  it("passes a MongoAuthError on as it is", () => {
    const unreachable = new MongoAuthError("OIDC_IDP_UNREACHABLE", "x");
    assert.equal(idpError(unreachable, "polling", ISSUER), unreachable);
  });
});

describe("declined", () => {
  it("is the same error for the browser and the device page", () => {
    assert.equal(declined(ISSUER, "cli").code, "OIDC_SIGN_IN_DECLINED");
  });
});
