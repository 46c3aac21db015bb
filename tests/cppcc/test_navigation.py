"""The navigation bar: items of one group share a dropdown, so the bar fits 1366 px however many
lists the apps register; a lone item stays a plain link."""

import re


def test_grouped_items_share_a_dropdown_and_lone_items_stay_links(client_for, office_user):
    html = client_for(office_user).get("/studios/activities/").content.decode()
    toggles = re.findall(
        r'dropdown-toggle[^"]*"[^>]*>\s*<i class="bi bi-[\w-]+ me-1"></i>(\w+)', html
    )
    assert {"委员", "工作室", "协商"} <= set(toggles)
    menu = html.split("工作室", 1)[1].split("</ul>", 1)[0]
    for label in ("委员工作室", "活动记录", "民生问题", "党小组"):
        assert label in menu
    # The page being shown marks its group and its entry active.
    assert re.search(r'dropdown-toggle text-nowrap active"[^>]*>\s*<i[^>]*></i>工作室', html)
    assert 'class="dropdown-item active" href="/studios/activities/"' in html
    assert re.search(r'class="nav-link text-nowrap[^"]*" href="/reports/office/"', html)
