"""The console's sidebar: each member of staff's tasks, in their language, the page shown marked."""

import re

import pytest

from config import console
from tests.console.pages import CHANGELIST, change_url, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def sidebar(client, path, **headers):
    content = client.get(path, **headers).content.decode()
    return content[content.index('id="nav-sidebar-apps"') : content.index('id="logout-form"')]


def active_links(drawn):
    return re.findall(r'<a href="([^"]+)" class="[^"]*\bactive\b[^"]*">', drawn)


def test_it_shows_each_member_of_staff_only_the_tasks_they_may_do(client, policy, hana, sam):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(sam)
    assert "Figures" in sidebar(client, change_url(case))
    client.force_login(hana)
    seen = sidebar(client, change_url(case))
    assert "My cases" in seen
    assert "Figures" not in seen
    client.force_login(sam)
    assert "Figures" in sidebar(client, change_url(case))


def test_it_marks_the_task_shown_as_active(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    assert active_links(sidebar(client, f"{CHANGELIST}?deadline=overdue")) == [
        f"{CHANGELIST}?deadline=overdue"
    ]
    assert active_links(sidebar(client, f"{CHANGELIST}?state=open")) == [f"{CHANGELIST}?state=open"]
    assert active_links(sidebar(client, change_url(case))) == []


def test_it_names_the_tasks_in_the_staff_members_language(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    assert "Overdue" in sidebar(client, change_url(case), HTTP_ACCEPT_LANGUAGE="en")
    assert "Überfällig" in sidebar(client, change_url(case), HTTP_ACCEPT_LANGUAGE="de")
    assert "Overdue" in sidebar(client, change_url(case), HTTP_ACCEPT_LANGUAGE="en")


overdue_count = {"now": 0}


def overdue_badge(request):
    return str(overdue_count["now"])


def test_it_shows_a_badges_count_as_it_is_now(client, policy, hana, monkeypatch):
    # A count on a task (as the theme's badges are) is read on every page, never kept.
    navigation = [
        {
            **console.NAVIGATION[0],
            "items": [
                {**item, "badge": f"{__name__}.overdue_badge"} if item["icon"] == "alarm" else item
                for item in console.NAVIGATION[0]["items"]
            ],
        },
        *console.NAVIGATION[1:],
    ]
    monkeypatch.setattr(console, "NAVIGATION", navigation)
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    for count in (3, 4, 3):
        overdue_count["now"] = count
        drawn = sidebar(client, change_url(case))
        assert re.search(rf"Overdue</span>\s*<span[^>]*>\s*{count}\s*</span>", drawn)
