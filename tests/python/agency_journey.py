"""An agency's journey through the Python client generated from the
committed spec, unmodified: a client-credentials token, the agency's
deliveries, acknowledge, a reply with a stance and commitments, progress on a
commitment; another agency is refused the delivery, and no token is refused.

Run by tests/contract_tools.rs (which makes the world and the generated client):

    python agency_journey.py SPEC CLIENT_DIR '{"base": …, "own": {…}, "other": {…}, "due_on": …}'

where `own` and `other` are agencies, each with `client_id`, `client_secret`
and `delivery` (its delivery of one sent recommendation). Every call goes
through the generated functions, found by the operation's method and path in
the spec (so that the journey does not depend on the operations' names), and
the client raises on any status the spec does not list.
"""

import importlib
import json
import sys
import typing

from openapi_python_client.strings import PythonIdentifier

SPEC, CLIENT_DIR, WORLD = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, CLIENT_DIR)

from langnghe_client import AuthenticatedClient, Client  # noqa: E402

with open(SPEC, encoding="utf-8") as f:
    spec = json.load(f)


def operation(method, path):
    """The generated module of the operation `method path` of the spec."""
    op = spec["paths"][path][method.lower()]
    tag = (op.get("tags") or ["default"])[0]
    module = "langnghe_client.api.{}.{}".format(
        PythonIdentifier(tag, prefix="tag"), PythonIdentifier(op["operationId"], prefix="field_")
    )
    return importlib.import_module(module)


def body(module, value):
    """`value` as the generated model of the operation's request body."""
    hint = typing.get_type_hints(module.sync_detailed)["body"]
    models = [t for t in typing.get_args(hint) or [hint] if hasattr(t, "from_dict")]
    assert len(models) == 1, f"{module.__name__}: one model for the body, got {hint}"
    return models[0].from_dict(value)


def check(response, status, what):
    assert int(response.status_code) == status, (
        f"{what}: {int(response.status_code)}, not {status}: {response.content[:500]!r}"
    )
    return response.parsed


def value(v):
    """An enum member's value, or the value itself."""
    return getattr(v, "value", v)


base = WORLD["base"]
own, other = WORLD["own"], WORLD["other"]
anonymous = Client(base_url=base, raise_on_unexpected_status=True)

token_op = operation("POST", "/api/v1/auth/token")


def token(agency):
    form = {
        "grant_type": "client_credentials",
        "client_id": agency["client_id"],
        "client_secret": agency["client_secret"],
    }
    issued = check(token_op.sync_detailed(client=anonymous, body=body(token_op, form)), 200, "token")
    assert value(issued.token_type).lower() == "bearer", issued
    assert issued.expires_in > 0, issued
    return AuthenticatedClient(base_url=base, token=issued.access_token, raise_on_unexpected_status=True)


# A wrong secret is refused.
refused = token_op.sync_detailed(
    client=anonymous,
    body=body(token_op, {"grant_type": "client_credentials", "client_id": own["client_id"], "client_secret": "no"}),
)
assert int(refused.status_code) in (400, 401), refused
me = token(own)

deliveries = operation("GET", "/api/v1/agency/deliveries")
page = check(deliveries.sync_detailed(client=me), 200, "deliveries")
ids = [str(d.id) for d in page.items]
assert ids == [own["delivery"]], f"the agency's own delivery only: {ids}"
assert value(page.items[0].status) == "sent", page.items[0]

one = operation("GET", "/api/v1/agency/deliveries/{id}")
delivery = check(one.sync_detailed(own["delivery"], client=me), 200, "delivery")
assert str(delivery.id) == own["delivery"]
assert delivery.recommendation is not None

acknowledge = operation("POST", "/api/v1/agency/deliveries/{id}/acknowledge")
done = check(acknowledge.sync_detailed(own["delivery"], client=me), 200, "acknowledge")
assert value(done.status) == "acknowledged", done

reply = operation("POST", "/api/v1/agency/deliveries/{id}/replies")
answer = {
    "stance": "accepted",
    "body": "Nhà trường phối hợp UBND phường lắp 12 bóng đèn và phân công bảo vệ hỗ trợ giờ tan học.",
    "child_summary": "Trường sẽ lắp đèn và có chú bảo vệ đứng ở cổng khi các em tan học.",
    "commitments": [
        {"text": "Lắp 12 bóng đèn LED", "due_on": WORLD["due_on"]},
        {"text": "Bảo vệ hỗ trợ giờ tan học", "due_on": WORLD["due_on"]},
    ],
}
answered = check(reply.sync_detailed(own["delivery"], client=me, body=body(reply, answer)), 200, "reply")
assert value(answered.status) == "answered", answered
assert value(answered.reply.stance) == "accepted", answered.reply
commitments = [str(c.id) for c in answered.commitments]
assert len(commitments) == 2, answered.commitments

progress = operation("POST", "/api/v1/agency/deliveries/{id}/updates")
update = {"commitment_id": commitments[0], "status": "in_progress", "note": "Đã lắp 6/12 bóng đèn."}
moved = check(progress.sync_detailed(own["delivery"], client=me, body=body(progress, update)), 200, "progress")
assert value(moved.status) == "in_progress", moved
# A second reply is refused as the spec says.
again = reply.sync_detailed(own["delivery"], client=me, body=body(reply, answer))
problem = check(again, 409, "a second reply")
assert problem.code == "illegal_transition", problem

# Another agency sees neither the delivery nor its own in the first's list,
# and cannot act on the first's delivery.
them = token(other)
theirs = check(deliveries.sync_detailed(client=them), 200, "the other's deliveries")
assert [str(d.id) for d in theirs.items] == [other["delivery"]], theirs.items
for what, response in [
    ("read", one.sync_detailed(own["delivery"], client=them)),
    ("acknowledge", acknowledge.sync_detailed(own["delivery"], client=them)),
    ("progress", progress.sync_detailed(own["delivery"], client=them, body=body(progress, update))),
]:
    problem = check(response, 404, f"the other agency's {what}")
    assert problem.code == "not_found", problem

# No token at all: 401.
problem = check(deliveries.sync_detailed(client=anonymous), 401, "no token")
assert problem.status == 401, problem

print("agency journey: every call through the generated client, as the spec says")
