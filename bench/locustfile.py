"""The load of `python -m bench run`: logged-in people of five roles reading their pages.

Not run on its own: the runner (bench/run.py) picks the accounts and, for each, the pages with
IDs that account may see, writes them to a JSON plan and starts
`locust -f bench/locustfile.py --headless ...` with BENCH_PLAN naming that file. Every simulated
person logs in once through the login form (CSRF token and all), then reads pages at random,
with a pause between pages (the statistics start when the last one has logged in and read
each of their pages once); each
request is named "<role> <page template>" so locust's statistics come out per page. The floors (a bare view without database, a minimal logged-in
page) are read by every person at the same rate, so they share the run's conditions.

The server runs with production settings behind no proxy. The requests say
`X-Forwarded-Proto: https`, as the TLS-terminating proxy would, and the client sends its
`Secure` cookies over the loopback connection (see _send_secure_cookies).

The client is locust's FastHttpUser (geventhttpclient), not HttpUser (python-requests): locust
runs on the same two cores as the server, and requests' client cost several times the CPU per
request, taken from the workers it measures.
"""

import http.cookiejar
import itertools
import json
import logging
import os
import random
import re
from pathlib import Path

from locust import between, constant_pacing, task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _send_secure_cookies(self, cookie, request) -> bool:
    return True


# Production marks the session and CSRF cookies Secure; the standard library's jar would keep
# them off plain http://127.0.0.1, where this client stands in for the proxy that ends TLS.
# Patched on the policy class, which every session's jar uses.
http.cookiejar.DefaultCookiePolicy.return_ok_secure = _send_secure_cookies

_next_account = {role: itertools.count() for role in PLAN["roles"]}
_logged_in = itertools.count(1)


class _Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*PLAN["wait"])
    default_headers = PLAN["headers"]

    def on_start(self) -> None:
        accounts = PLAN["roles"][self.role]["accounts"]
        account = accounts[next(_next_account[self.role]) % len(accounts)]
        self.pages = account["pages"]
        # The bare floor is read without the session cookie: a logged-in request always reads
        # the session row, and the floor is what Django costs with no database at all.
        self.anonymous = FastHttpSession(
            self.host,
            self.environment.events.request,
            user=self,
            headers=PLAN["headers"],
        )
        self._log_in(account["username"], account["password"])
        # Warm-up: each person reads each of their pages once, as on a server that has been
        # running, so that what is computed once and kept (figures per scope in the shared
        # cache, a worker's imports and corpus) is not counted as the steady state's tail.
        # What such a first request costs is measured by `python -m bench profile`'s "first
        # (cold)" column, not here.
        for _name, url in self.pages:
            self._get(self.client, f"{self.role} warm-up", url)
        # The statistics start once everyone is in and warmed up: twenty password hashes at
        # the start would otherwise queue the first pages behind them and count as the pages'
        # tail.
        if next(_logged_in) == PLAN["people"]:
            self.environment.stats.reset_all()
            logging.info(
                "all %d people logged in and warmed up: statistics start now", PLAN["people"]
            )

    def _log_in(self, username: str, password: str) -> None:
        login = PLAN["login_url"]
        # The origin the browser would name: the proxy's https address (CSRF checks it).
        secure = self.host.replace("http://", "https://", 1)
        page = self.client.get(login, name=f"{self.role} login form")
        match = CSRF_INPUT.search(page.text)
        if match is None:
            raise RuntimeError(f"no CSRF token on {login} ({page.status_code})")
        with self.client.post(
            login,
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": match.group(1),
            },
            headers={"Referer": secure + login, "Origin": secure},
            name=f"{self.role} login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A wrong password answers 200 with the form again; only a redirect is a login.
            if response.status_code != 302:
                response.failure(f"{username}: login answered {response.status_code}")
                raise RuntimeError(f"{username} could not log in")

    def _get(self, client: FastHttpSession, name: str, url: str) -> None:
        # Redirects are not followed: a lost session would otherwise count as a fast 200 login
        # page instead of an error.
        with client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")

    @task(PLAN["page_weight"])
    def page(self) -> None:
        name, url = random.choice(self.pages)
        self._get(self.client, name, url)

    @task(1)
    def bare_floor(self) -> None:
        self._get(self.anonymous, PLAN["floor_names"]["bare"], PLAN["floors"]["bare"])

    @task(1)
    def logged_in_floor(self) -> None:
        self._get(self.client, PLAN["floor_names"]["minimal"], PLAN["floors"]["minimal"])


class _Writer(FastHttpUser):
    """The office changing a record every PLAN["writer"]["every"] seconds (`--write-every`),
    through the API as another system would: a member's wishes, in turn over a few members
    (bench/run.py puts them back after the load).
    Every such write leaves the kept pages, blocks and figures behind, so the readers' next
    visits are computed again: the run shows what the office's data entry costs the others."""

    abstract = True
    fixed_count = 1
    default_headers = PLAN["headers"]

    def on_start(self) -> None:
        writer = PLAN["writer"]
        self.members = itertools.cycle([int(pk) for pk in writer["members"]])
        self.versions: dict[int, int] = {}
        self.writes = itertools.count(1)
        response = self.client.post(
            writer["token_url"],
            json={"username": writer["username"], "password": writer["password"]},
            name="writer token",
        )
        if response.status_code != 200:
            raise RuntimeError(f"no API token for {writer['username']} ({response.status_code})")
        self.headers = {"Authorization": f"Token {response.json()['token']}"}

    @task
    def write(self) -> None:
        member = next(self.members)
        url = PLAN["writer"]["url"].format(member=member)
        if member not in self.versions:
            read = self.client.get(url, name="writer read", headers=self.headers)
            self.versions[member] = read.json()["version"]
        body = {"version": self.versions[member], "wishes": f"压测写入 {next(self.writes)}"}
        with self.client.patch(
            url, json=body, name=PLAN["writer"]["name"], headers=self.headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}: {response.text[:200]}")
                self.versions.pop(member, None)
                return
            self.versions[member] = response.json()["version"]


def _person(role: str) -> type:
    return type(
        f"{role.title()}Person",
        (_Person,),
        {"role": role, "weight": PLAN["roles"][role]["weight"], "__module__": __name__},
    )


# Locust finds the user classes among this module's globals.
for _role in PLAN["roles"]:
    globals()[f"{_role.title()}Person"] = _person(_role)
if PLAN.get("writer"):
    OfficeWriter = type(
        "OfficeWriter",
        (_Writer,),
        {"wait_time": constant_pacing(PLAN["writer"]["every"]), "__module__": __name__},
    )
