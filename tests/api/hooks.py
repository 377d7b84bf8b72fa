"""Schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by run.py).

The finder and HSDS APIs read every query value trimmed (Rust's `str::trim`) and take an empty
one as absent, as the OpenAPI document says. A "negative" query value that differs from a valid
one only by whitespace at its ends is therefore not invalid, so such cases are not generated as
negative ones: they would only report this documented leniency.
"""

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# Unicode White_Space, which Rust's `char::is_whitespace` (and so `str::trim`) uses. Python's
# `str.isspace` also counts U+001C..U+001F, which Rust does not trim.
RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def _padded(value):
    if isinstance(value, list):
        return any(_padded(v) for v in value)
    return isinstance(value, str) and value != value.strip(RUST_WHITESPACE)


@schemathesis.hook
def filter_case(context, case):
    meta = case.meta
    if meta is None or not meta.is_negative_at(ParameterLocation.QUERY):
        return True
    return not any(_padded(v) for v in (case.query or {}).values())
