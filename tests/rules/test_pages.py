"""Rule pages: create in the editor (errors inline, next to the box), test on the last 100,
the list with matches, the run log; customer text is escaped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from cxloop.core.security import Role
from tests.cases.helpers import add_user
from tests.rules.conftest import Shop
from tests.surveys.helpers import csrf_of, log_in


@contextmanager
def _logged_in(shop: Shop, server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30, follow_redirects=False) as client:
        log_in(client, shop.tenant.email, shop.tenant.password)
        yield client


def test_create_preview_and_read_the_run_log_in_the_browser(shop: Shop, server: str) -> None:
    shop.say(2, "<script>alert('x')</script> late parcel")
    shop.say(9)
    with _logged_in(shop, server) as web:
        page = web.get("/app/rules/new")
        assert page.status_code == 200 and "Test on the last 100" in page.text
        csrf = csrf_of(page.text)
        form = {
            "csrf": csrf,
            "name": "Detractors",
            "trigger": "response.submitted",
            "active": "on",
            "actions": json.dumps([{"type": "tag", "tag": "detractor"}]),
        }
        bad = web.post(
            "/app/rules",
            data={
                **form,
                "conditions": json.dumps({"all": [{"field": "nps", "op": "lte", "value": "six"}]}),
            },
        )
        assert bad.status_code == 422
        assert 'id="conditions-error"' in bad.text
        assert "conditions.all[0].value: &#39;six&#39; is not a number for field nps" in bad.text
        broken = web.post("/app/rules", data={**form, "conditions": "{oops"})
        assert broken.status_code == 422 and "conditions: not valid JSON" in broken.text

        good = json.dumps({"all": [{"field": "nps", "op": "lte", "value": 6}]})
        preview = web.post("/app/rules/preview", data={**form, "conditions": good})
        assert preview.status_code == 200
        assert 'id="preview-matched">1<' in preview.text
        assert "&lt;script&gt;" in preview.text and "<script>alert" not in preview.text

        created = web.post("/app/rules", data={**form, "conditions": good})
        assert created.status_code == 303, created.text
        rule_id = created.headers["location"].split("/")[3].split("?")[0]
        shop.say(1, "Awful")
        shop.evaluate()
        listing = web.get("/app/rules").text
        assert "Detractors" in listing and "data-matches>1<" in listing
        runs = web.get(f"/app/rules/{rule_id}/runs").text
        assert 'data-outcome="matched"' in runs and "detractor" in runs

        edit = web.get(f"/app/rules/{rule_id}")
        saved = web.post(
            f"/app/rules/{rule_id}",
            data={**form, "csrf": csrf_of(edit.text), "name": "Detractors v2", "conditions": good},
        )
        assert saved.status_code == 303
        assert "v2" in web.get(f"/app/rules/{rule_id}").text


def test_an_analyst_reads_rules_but_cannot_edit(shop: Shop, server: str) -> None:
    rule = shop.rule({"all": [{"field": "nps", "op": "lte", "value": 6}]})
    analyst = add_user(shop.db, shop.tenant, Role.analyst)
    with httpx.Client(base_url=server, timeout=30, follow_redirects=False) as web:
        log_in(web, analyst.email, "correct horse battery")
        page = web.get(f"/app/rules/{rule['id']}")
        assert page.status_code == 200 and "Save as a new version" not in page.text
        assert web.get("/app/rules/new").status_code == 403
        denied = web.post(f"/app/rules/{rule['id']}", data={"csrf": csrf_of(page.text)})
        assert denied.status_code == 403
