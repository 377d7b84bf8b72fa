#!/usr/bin/env python3
"""Validates a Lotse HSDS export against the Open Referral HSDS 3.0 JSON schemas.

Usage: hsds-validate.py EXPORT_DIR [SCHEMA_DIR]

Checks every row of every CSV named in EXPORT_DIR/datapackage.json against the schema of its
table (values typed as the datapackage declares them, empty cells absent), and every service in
EXPORT_DIR/services.json (fully nested, as the HSDS API answers) against service.json. Formats
(uuid, email, date, date-time) are checked too. Prints one line per problem; exit code 1 if any.
"""
import csv
import json
import pathlib
import sys

import jsonschema
from referencing import Registry
from referencing.jsonschema import DRAFT202012

here = pathlib.Path(__file__).resolve().parent
export_dir = pathlib.Path(sys.argv[1])
schema_dir = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else here.parent / "tests/fixtures/hsds-3.0/schema"


def load(name):
    return json.loads((schema_dir / name).read_text(encoding="utf-8"))


# The schemas refer to each other by file name ("phone.json").
registry = Registry().with_resources(
    (p.name, DRAFT202012.create_resource(json.loads(p.read_text(encoding="utf-8"))))
    for p in schema_dir.glob("*.json")
    if p.name != "openapi.json"
)


def validator(name):
    schema = load(name)
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def typed(value, kind):
    if kind == "number":
        return float(value) if "." in value else int(value)
    return value


problems = []
package = json.loads((export_dir / "datapackage.json").read_text(encoding="utf-8"))
for resource in package["resources"]:
    schema_file = resource["name"] + ".json"
    if not (schema_dir / schema_file).exists():
        problems.append(f"{resource['name']}: no HSDS schema of that name")
        continue
    check = validator(schema_file)
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    known = set(load(schema_file)["properties"])
    with open(export_dir / resource["path"], encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            for column in row:
                if column not in known:
                    problems.append(f"{resource['path']}: column {column} is not in {schema_file}")
            required = set(load(schema_file).get("required", []))
            record = {k: typed(v, types.get(k, "string")) for k, v in row.items() if v != "" or k in required}
            for error in check.iter_errors(record):
                problems.append(f"{resource['path']}, line {line}: {error.json_path}: {error.message}")

services = json.loads((export_dir / "services.json").read_text(encoding="utf-8"))
check = validator("service.json")
for service in services:
    for error in check.iter_errors(service):
        problems.append(f"services.json, service {service.get('id')}: {error.json_path}: {error.message}")

for p in problems:
    print(p)
rows = sum(1 for _ in services)
print(f"{len(problems)} problems; {len(package['resources'])} tables, {rows} nested services checked")
sys.exit(1 if problems else 0)
