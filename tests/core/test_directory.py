from __future__ import annotations

import json
from pathlib import Path

import pytest

from ips_fake.core.directory import ROLES_BY_OPERATION, Directory, Role
from ips_fake.core.errors import FaultCode, FaultKind, IpsFault


def fault_of(call: object) -> IpsFault:
    assert callable(call)
    with pytest.raises(IpsFault) as caught:
        call()
    return caught.value


def test_default_directory_matches_the_spec_table() -> None:
    directory = Directory.default()
    assert set(directory.companies) == {"47", "48"}
    admin = directory.authenticate("ipsadmin@example.com", "password")
    assert admin.companies is None
    assert admin.belongs_to("48")
    user = directory.authenticate("IPSUSER@example.com", "password")
    assert user.roles == {Role.IPS_USER}
    assert user.belongs_to("47")
    assert not user.belongs_to("48")
    other = directory.authenticate("other@example.com", "password")
    assert other.companies == frozenset({"48"})


def test_the_shipped_fixture_file_is_the_packaged_default() -> None:
    fixture = Path(__file__).parents[2] / "fixtures" / "directory.json"
    assert Directory.from_file(fixture).as_json_data() == Directory.default().as_json_data()


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        (None, None, FaultCode.NO_CREDENTIALS),
        ("", "password", FaultCode.NO_CREDENTIALS),
        ("ipsuser@example.com", "wrong", FaultCode.INVALID_CREDENTIALS),
        ("nobody@example.com", "password", FaultCode.INVALID_USER),
    ],
)
def test_authentication_faults(email: str | None, password: str | None, code: int) -> None:
    directory = Directory.default()
    fault = fault_of(lambda: directory.authenticate(email, password))
    assert fault.code == code
    assert fault.kind is FaultKind.AUTHENTICATION


def test_a_disabled_user_is_an_invalid_user() -> None:
    directory = Directory.default()
    directory.add_user("gone@example.com", roles=["IpsUser"], companies=["47"], disabled=True)
    assert fault_of(lambda: directory.authenticate("gone@example.com", "password")).code == 10002


@pytest.mark.parametrize(("operation", "roles"), sorted(ROLES_BY_OPERATION.items()))
def test_roles_per_operation(operation: str, roles: frozenset[Role]) -> None:
    directory = Directory.default()
    for role in Role:
        user = directory.add_user(f"{role.value}@example.com", roles=[role], companies=["47"])
        if role in roles:
            directory.authorize(user, operation)
        else:
            fault = fault_of(lambda user=user: directory.authorize(user, operation))
            assert fault.code == FaultCode.NO_PERMISSION
            assert operation in fault.reason


def test_web_service_user_may_not_touch_jobs() -> None:
    directory = Directory.default()
    user = directory.add_user("ws@example.com", roles=["WebServiceUser"], companies=["47"])
    for operation in ROLES_BY_OPERATION:
        assert fault_of(lambda op=operation: directory.authorize(user, op)).code == 20003


def test_company_scoping() -> None:
    directory = Directory.default()
    other = directory.authenticate("other@example.com", "password")
    assert directory.company_for(other, "c|48").id == "48"
    assert fault_of(lambda: directory.company_for(other, "47")).code == FaultCode.ILLEGAL_COMPANY
    assert fault_of(lambda: directory.company_for(other, "99")).code == FaultCode.INVALID_COMPANY


def test_find_user_by_handle_or_email() -> None:
    directory = Directory.default()
    user = directory.authenticate("ipsuser@example.com", "password")
    assert directory.find_user(user.handle) == user
    assert directory.find_user("ipsuser@example.com") == user
    assert directory.find_user(f"u|999|{user.email}") is None


def test_directory_files_load_and_report_errors(tmp_path: Path) -> None:
    path = tmp_path / "dir.json"
    path.write_text(
        json.dumps(
            {
                "companies": [{"id": "c|7", "name": "Seven"}],
                "users": [{"email": "s@example.com", "roles": ["IpsUser"], "companies": ["7"]}],
            }
        )
    )
    directory = Directory.from_file(path)
    assert directory.companies["7"].name == "Seven"
    assert directory.authenticate("s@example.com", "password").belongs_to("7")
    with pytest.raises(ValueError, match="not valid JSON"):
        Directory.from_json("{nope")
    with pytest.raises(ValueError, match="unknown company"):
        Directory.from_json('{"users": [{"email": "x@example.com", "companies": ["9"]}]}')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"companies": [{"name": "no id"}]}, "companies[0] needs an 'id'"),
        ({"companies": [{"id": [1]}]}, "companies[0] needs an 'id'"),
        ({"companies": [{"id": True}]}, "companies[0] needs an 'id'"),
        ({"users": [{"password": "x"}]}, "users[0] needs an 'email' string"),
        ({"users": [{"email": "a@b", "password": None}]}, "'password' must be a string"),
        ({"users": [{"email": "a@b", "roles": "IpsUser"}]}, "'roles' must be a list"),
        ({"users": [{"email": "a@b", "companies": "47"}]}, "'companies' a list of ids"),
        ({"companies": {}}, "must be lists of objects"),
        ({"companies": [{"id": "47"}, {"id": "j"}]}, "companies[1]: company id 'j' is not digits"),
        ({"companies": [{"id": "4|7"}]}, "companies[0]: company id '4|7' is not digits"),
        ({"companies": [{"id": -1}]}, "companies[0]: company id '-1' is not digits"),
    ],
)
def test_a_wrongly_typed_directory_entry_is_refused_by_name(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Directory.from_json_data(data)


def test_numeric_company_ids_are_read_as_text() -> None:
    directory = Directory.from_json_data({"companies": [{"id": 49}]})
    assert directory.companies["49"].name == "Company 49"
