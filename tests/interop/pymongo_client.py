"""pymongo (Debian's python3-pymongo, 3.11) as an outside client of the reference server.

Reads one JSON request per line on stdin -- {"host", "port", "options"}, where options are MongoClient
keyword arguments (username, password, authSource, authMechanism, tls, appname, ...) -- connects, runs
connectionStatus and answers one JSON line: {"users": [...]} or {"error": {...}}. Driven by
pymongo.test.ts; run it with /usr/bin/python3, which sees Debian's dist-packages.
"""
import json
import sys

import pymongo
from pymongo.errors import OperationFailure, PyMongoError


def run(request):
    client = pymongo.MongoClient(
        request["host"],
        request["port"],
        serverSelectionTimeoutMS=5000,
        connectTimeoutMS=5000,
        **request.get("options", {})
    )
    try:
        status = client.admin.command("connectionStatus")
        return {"users": status["authInfo"]["authenticatedUsers"]}
    except OperationFailure as error:
        details = error.details or {}
        return {"error": {"code": error.code, "codeName": details.get("codeName"), "message": str(error)}}
    except PyMongoError as error:
        return {"error": {"type": type(error).__name__, "message": str(error)}}
    finally:
        client.close()


def main():
    print(json.dumps({"ready": pymongo.version}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
