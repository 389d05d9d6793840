import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseIni } from "../../../../src/mechanisms/aws/credentials/ini.ts";

describe("parseIni", () => {
  it("reads sections, keys (lower-cased), comments and nested blocks as the AWS CLI does", () => {
    const sections = parseIni(
      [
        "ignored = before any section",
        "# comment",
        "[default]",
        "aws_access_key_id = AKID",
        "AWS_Secret_Access_Key=secret/with+chars= # trailing comment",
        "; another comment",
        "[profile  dev ]",
        "region = eu-west-1",
        "s3 =",
        "  max_concurrent_requests = 20",
        "",
        "[default]",
        "aws_session_token = tok",
      ].join("\r\n"),
    );
    assert.deepEqual([...sections.keys()], ["default", "profile dev"]);
    assert.deepEqual(Object.fromEntries(sections.get("default")!), {
      aws_access_key_id: "AKID",
      aws_secret_access_key: "secret/with+chars=",
      aws_session_token: "tok",
    });
    assert.deepEqual(Object.fromEntries(sections.get("profile dev")!), { region: "eu-west-1", s3: "" });
  });
});
