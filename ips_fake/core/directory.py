"""Companies, users, roles, and who may do what (spec section 2, behaviour section 6).

The directory is loaded from a JSON document (the default one ships with the package as
``ips_fake/data/directory.json``) and can grow from a test with :meth:`Directory.add_company`
and :meth:`Directory.add_user`.

Directory file format::

    {
      "companies": [{"id": "47", "name": "Company 47"}],
      "users": [{"email": "ipsuser@example.com", "password": "password",
                 "roles": ["IpsUser"], "companies": ["47"]}]
    }

``"companies": "all"`` gives a user every company (meant for ``IpsAdmin``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from ips_fake.core.errors import FaultCode, IpsFault
from ips_fake.core.handles import company_id_of, user_handle


class Role(Enum):
    """IPS user roles, valued by their wire names."""

    IPS_ADMIN = "IpsAdmin"
    IPS_COMPANY_ADMIN = "IpsCompanyAdmin"
    IPS_USER = "IpsUser"
    WEB_SERVICE_USER = "WebServiceUser"
    TRIAL_SITE_ADMIN = "TrialSiteAdmin"
    TRIAL_SITE_USER = "TrialSiteUser"
    IMAGE_PORTAL_ADMIN = "ImagePortalAdmin"
    IMAGE_PORTAL_USER = "ImagePortalUser"
    IMAGE_PORTAL_CONTRIB = "ImagePortalContrib"
    IMAGE_PORTAL_CONTRIB_USER = "ImagePortalContribUser"


_SUBMITTERS = frozenset(
    {
        Role.IPS_USER,
        Role.IPS_ADMIN,
        Role.TRIAL_SITE_ADMIN,
        Role.TRIAL_SITE_USER,
        Role.IMAGE_PORTAL_ADMIN,
        Role.IMAGE_PORTAL_CONTRIB,
        Role.IMAGE_PORTAL_CONTRIB_USER,
    }
)
_MANAGERS = _SUBMITTERS | {Role.IPS_COMPANY_ADMIN}

#: Roles allowed per operation (spec section 2). WebServiceUser appears in none.
ROLES_BY_OPERATION: Mapping[str, frozenset[Role]] = {
    "submitJob": _SUBMITTERS,
    "executeJob": _SUBMITTERS,
    "getActiveJobs": _MANAGERS,
    "getScheduledJobs": _MANAGERS,
    "stopJob": _MANAGERS,
    "pauseJob": _MANAGERS,
    "resumeJob": _MANAGERS,
    "deleteJob": _MANAGERS,
    "getJobLogs": _MANAGERS | {Role.IMAGE_PORTAL_USER},
    "getJobLogDetails": frozenset(
        {
            Role.IPS_USER,
            Role.IPS_ADMIN,
            Role.IPS_COMPANY_ADMIN,
            Role.TRIAL_SITE_USER,
            Role.IMAGE_PORTAL_ADMIN,
            Role.IMAGE_PORTAL_USER,
            Role.IMAGE_PORTAL_CONTRIB,
            Role.IMAGE_PORTAL_CONTRIB_USER,
        }
    ),
    "getAssetJobLogs": frozenset(
        {
            Role.IPS_USER,
            Role.IPS_ADMIN,
            Role.IPS_COMPANY_ADMIN,
            Role.TRIAL_SITE_ADMIN,
            Role.TRIAL_SITE_USER,
            Role.IMAGE_PORTAL_ADMIN,
            Role.IMAGE_PORTAL_USER,
            Role.IMAGE_PORTAL_CONTRIB,
            Role.IMAGE_PORTAL_CONTRIB_USER,
        }
    ),
}

ALL_COMPANIES = "all"


@dataclass(frozen=True)
class Company:
    """A company: its id (the ``47`` in ``c|47``) and display name."""

    id: str
    name: str


@dataclass(frozen=True)
class User:
    """A user of the directory. ``companies`` is None when the user may act on every company."""

    id: int
    email: str
    password: str
    roles: frozenset[Role]
    companies: frozenset[str] | None
    disabled: bool = False

    @property
    def handle(self) -> str:
        """The user handle, ``u|<id>|<email>``."""
        return user_handle(self.id, self.email)

    def belongs_to(self, company_id: str) -> bool:
        """Whether the user may act on ``company_id``."""
        return self.companies is None or company_id in self.companies


@functools.lru_cache(maxsize=256)
def _may_call(roles: frozenset[Role], operation: str) -> bool:
    """Whether one of ``roles`` may call ``operation`` (:data:`ROLES_BY_OPERATION`); kept for
    the few sets of roles users have, so a request costs a lookup (a frozenset's hash is
    worked out once)."""
    return bool(roles & ROLES_BY_OPERATION.get(operation, frozenset()))


@dataclass
class Directory:
    """The companies and users the fake knows, with authentication and authorization."""

    companies: dict[str, Company] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Directory:
        """The directory shipped with the package (behaviour.md section 6)."""
        text = resources.files("ips_fake.data").joinpath("directory.json").read_text("utf-8")
        return cls.from_json(text)

    @classmethod
    def from_file(cls, path: str | Path) -> Directory:
        """Load a directory file (see the module docstring for its format)."""
        return cls.from_json(Path(path).read_text("utf-8"))

    @classmethod
    def from_json(cls, text: str) -> Directory:
        """Load a directory from JSON text; raises ValueError saying what is wrong."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"directory file is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise ValueError("directory file must hold a JSON object with companies and users")
        return cls.from_json_data(document)

    @classmethod
    def from_json_data(cls, document: Mapping[str, Any]) -> Directory:
        """Build a directory from already-parsed directory-file data; raises ValueError naming
        the entry and the key that is wrong."""
        directory = cls()
        companies, users = document.get("companies", []), document.get("users", [])
        if not isinstance(companies, list) or not isinstance(users, list):
            raise ValueError("'companies' and 'users' must be lists of objects")
        for index, entry in enumerate(companies):
            company_id = entry.get("id") if isinstance(entry, Mapping) else None
            if isinstance(company_id, bool) or not isinstance(company_id, str | int):
                raise ValueError(f'companies[{index}] needs an \'id\', e.g. {{"id": "47"}}')
            try:
                directory.add_company(str(company_id), str(entry.get("name", "")) or None)
            except ValueError as error:
                raise ValueError(f"companies[{index}]: {error}") from None
        for index, entry in enumerate(users):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("email"), str):
                raise ValueError(f"users[{index}] needs an 'email' string")
            if not isinstance(entry.get("password", ""), str):
                raise ValueError(f"users[{index}] ({entry['email']}): 'password' must be a string")
            roles = entry.get("roles", ["IpsUser"])
            assigned = entry.get("companies", [])
            if not isinstance(roles, list) or not (assigned == "all" or isinstance(assigned, list)):
                raise ValueError(
                    f"users[{index}] ({entry['email']}): 'roles' must be a list and "
                    "'companies' a list of ids or \"all\""
                )
            directory.add_user(
                entry["email"],
                entry.get("password", "password"),
                roles=[str(role) for role in roles],
                companies=assigned if assigned == "all" else [str(c) for c in assigned],
                disabled=bool(entry.get("disabled", False)),
            )
        return directory

    def add_company(self, company_id: str, name: str | None = None) -> Company:
        """Add (or rename) a company. ``company_id`` may be ``47`` or ``c|47``: digits only
        (ValueError otherwise), so that every job handle names one company's job."""
        key = company_id_of(company_id)
        if key is None:
            raise ValueError(
                f"company id {company_id!r} is not digits: write it as '47' or 'c|47' (a letter "
                "or a '|' would make one company's job handles read as another's)"
            )
        company = Company(key, name or f"Company {key}")
        self.companies[key] = company
        return company

    def add_user(
        self,
        email: str,
        password: str = "password",
        *,
        roles: Iterable[str | Role] = (Role.IPS_USER,),
        companies: Iterable[str] | str = (),
        disabled: bool = False,
    ) -> User:
        """Add a user; ``companies`` lists company ids, or is ``"all"``.

        Example::

            directory.add_user("qa@example.com", roles=["IpsUser"], companies=["47"])
        """
        parsed_roles = frozenset(role if isinstance(role, Role) else Role(role) for role in roles)
        member_of: frozenset[str] | None
        if companies == ALL_COMPANIES:
            member_of = None
        else:
            ids = []
            for handle in companies:
                key = company_id_of(handle)
                if key is None or key not in self.companies:
                    raise ValueError(f"user {email}: unknown company {handle!r}")
                ids.append(key)
            member_of = frozenset(ids)
        existing = self.users.get(email.lower())
        user_id = existing.id if existing else len(self.users) + 1
        user = User(user_id, email, password, parsed_roles, member_of, disabled)
        self.users[email.lower()] = user
        return user

    def as_json_data(self) -> dict[str, Any]:
        """The directory as the JSON-ready data a directory file holds (passwords included)."""
        return {
            "companies": [{"id": c.id, "name": c.name} for c in self.companies.values()],
            "users": [
                {
                    "id": u.id,
                    "handle": u.handle,
                    "email": u.email,
                    "password": u.password,
                    "roles": sorted(role.value for role in u.roles),
                    "companies": ALL_COMPANIES if u.companies is None else sorted(u.companies),
                    "disabled": u.disabled,
                }
                for u in self.users.values()
            ],
        }

    # -- questions -----------------------------------------------------------------------------

    def authenticate(self, email: str | None, password: str | None) -> User:
        """The user these credentials name, or an authenticationFault (10000/10001/10002)."""
        if not email:
            raise IpsFault(
                FaultCode.NO_CREDENTIALS,
                "no credentials: send an authHeader with user and password, HTTP Basic auth, "
                "or the AuthUser/AuthPassword headers",
            )
        user = self.users.get(email.lower())
        if user is None or user.disabled:
            state = "disabled" if user else "unknown"
            raise IpsFault(FaultCode.INVALID_USER, f"user {email!r} is {state}")
        if password != user.password:
            raise IpsFault(FaultCode.INVALID_CREDENTIALS, f"wrong password for user {email!r}")
        return user

    def find_user(self, handle_or_email: str) -> User | None:
        """The user named by ``u|<id>|<email>`` or by a plain e-mail address."""
        text = handle_or_email.strip()
        if text.startswith("u|"):
            parts = text.split("|", 2)
            if len(parts) != 3:
                return None
            user = self.users.get(parts[2].lower())
            return user if user is not None and str(user.id) == parts[1] else None
        return self.users.get(text.lower())

    def authorize(self, user: User, operation: str) -> None:
        """Raise authorizationFault 20003 unless one of the user's roles may call ``operation``."""
        if not _may_call(user.roles, operation):
            roles = ", ".join(sorted(role.value for role in user.roles)) or "no role"
            raise IpsFault(
                FaultCode.NO_PERMISSION,
                f"user {user.email} ({roles}) may not call {operation}",
            )

    def company_for(self, user: User, company_handle: str) -> Company:
        """The company ``company_handle`` names, checked against the user's companies."""
        key = company_id_of(company_handle)
        company = self.companies.get(key) if key is not None else None
        if company is None:
            raise IpsFault(
                FaultCode.INVALID_COMPANY, f"companyHandle {company_handle!r} names no company"
            )
        if not user.belongs_to(company.id):
            raise IpsFault(
                FaultCode.ILLEGAL_COMPANY,
                f"companyHandle {company_handle!r}: user {user.email} may not act on that company",
            )
        return company

    def companies_of(self, user: User) -> list[Company]:
        """The companies the user may act on, in directory order."""
        return [c for c in self.companies.values() if user.belongs_to(c.id)]
