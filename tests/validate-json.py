#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/validate-json.py SCHEMA [FILE...]: validate whybind's JSON output
# against doc/whybind.schema.json (Debian's python3-jsonschema).
#
# Each FILE holds one or more JSON documents one after the other (a
# report, or --exec/--watch lines); its first line may be "# DESC", what
# produced it (the command), which an error names.  One python start for
# a whole test: tests/lib.sh collects the outputs and calls this once.
#
# Output: one line per invalid document, "FILE: DESC: document N: at PATH:
# MESSAGE" (PATH as a jq path, e.g. .conflicts[0].owners[0].pid); the
# exit status is 1 if any was invalid or unreadable, 2 on bad usage or
# when python3-jsonschema is missing.
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate-json: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)


def jq_path(path, doc):
    """The path in the document (not in its sample: see sample())."""
    out = ""
    for p in path:
        if isinstance(p, int):
            n = len(doc) if isinstance(doc, list) else 0
            i = p if n <= SAMPLE or p < SAMPLE // 2 else n - SAMPLE + p
            out += "[%d]" % i
            doc = doc[i] if i < n else None
        else:
            out += "." + p
            doc = doc.get(p) if isinstance(doc, dict) else None
    return out or "."


# A port can have tens of thousands of sockets (tests/integration/
# hostile.sh: 32 768), each validated in about a millisecond: of an array
# longer than SAMPLE, its first and last SAMPLE/2 items are validated.
SAMPLE = 1000


def sample(v):
    if isinstance(v, dict):
        return {k: sample(x) for k, x in v.items()}
    if isinstance(v, list):
        if len(v) > SAMPLE:
            v = v[:SAMPLE // 2] + v[-(SAMPLE // 2):]
        return [sample(x) for x in v]
    return v


def documents(text):
    """Every JSON value in text, one after the other."""
    dec = json.JSONDecoder()
    i, n = 0, 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i == len(text):
            return
        n += 1
        try:
            doc, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            yield n, None, "not JSON: %s" % e
            return
        yield n, doc, None


def main(argv):
    if len(argv) < 2:
        print("usage: validate-json.py SCHEMA [FILE...]", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for name in argv[2:]:
        with open(name, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        desc = ""
        if text.startswith("# "):
            desc, _, text = text.partition("\n")
            desc = desc[2:] + ": "
        for n, doc, err in documents(text):
            if err:
                print("%s: %sdocument %d: %s" % (name, desc, n, err))
                bad += 1
                continue
            # The deepest error is the one that names the offending value.
            errors = sorted(validator.iter_errors(sample(doc)),
                            key=lambda e: -len(list(e.absolute_path)))
            for e in errors[:1]:
                deepest = e
                while deepest.context:
                    deepest = max(deepest.context,
                                  key=lambda c: len(list(c.absolute_path)))
                print("%s: %sdocument %d: at %s: %s" % (
                    name, desc, n, jq_path(deepest.absolute_path, doc),
                    deepest.message[:300]))
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
