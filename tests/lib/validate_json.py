#!/usr/bin/env python3
"""validate_json.py SCHEMA FILE - validates FILE against the JSON Schema
SCHEMA (draft 2020-12); prints the first error and exits 1 when invalid."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:3]:
    print(f"{sys.argv[2]}: {'/'.join(map(str, e.path))}: {e.message}",
          file=sys.stderr)
sys.exit(1 if errors else 0)
