import datetime as dt
import threading

import pytest

from portal.models import Membership
from tests.datasets.datastore_tables import make_version
from tests.datasets.remote_portal import Remote
from tests.factories import OrganizationFactory, ResourceFactory, UserFactory, editor_of

COLUMNS = [
    ("name", "text", "名稱"),
    ("district", "text", "行政區"),
    ("visitors", "integer", "人次"),
    ("area", "number", "面積"),
    ("opened", "date", "啟用日期"),
    ("open_24h", "boolean", "全天開放"),
    ("updated", "datetime", "更新時間"),
    ("lat", "number", "緯度"),
    ("lon", "number", "經度"),
]
TZ = dt.timezone(dt.timedelta(hours=8))
ROWS = [
    (
        "大安森林公園",
        "大安區",
        1200,
        25.9,
        dt.date(1994, 3, 29),
        True,
        dt.datetime(2024, 1, 2, 9, 0, tzinfo=TZ),
        25.0297,
        121.5358,
    ),
    (
        "臺北市立圖書館總館",
        "大安區",
        800,
        1.2,
        dt.date(1990, 1, 1),
        False,
        dt.datetime(2024, 1, 3, 9, 0, tzinfo=TZ),
        25.0284,
        121.5432,
    ),
    (
        "松山機場",
        "松山區",
        5000,
        182.0,
        dt.date(1950, 5, 18),
        True,
        dt.datetime(2024, 2, 1, 12, 30, tzinfo=TZ),
        25.0694,
        121.5525,
    ),
    ('=HYPERLINK("http://evil")', "信義區", None, None, None, None, None, None, None),
    (
        "Taipei 101 Observatory",
        "信義區",
        3000,
        0.5,
        dt.date(2004, 12, 31),
        False,
        dt.datetime(2024, 3, 1, 18, 0, tzinfo=TZ),
        25.0340,
        121.5645,
    ),
    (
        "大稻埕碼頭",
        "大同區",
        700,
        3.3,
        dt.date(2004, 12, 31),
        True,
        dt.datetime(2024, 3, 5, 8, 15, tzinfo=TZ),
        25.0562,
        121.5081,
    ),
]


@pytest.fixture
def facilities(db):
    """A published resource whose live version holds six typed rows."""
    resource = ResourceFactory(
        name_zh_hant="公共設施", name_en="Facilities", dataset__name="city-facilities"
    )
    make_version(resource, COLUMNS, ROWS)
    return resource


@pytest.fixture
def org():
    return OrganizationFactory(slug="taipei-dot", name_en="Transport", name_zh_hant="交通局")


@pytest.fixture
def other_org():
    return OrganizationFactory(slug="kaohsiung-dot")


@pytest.fixture
def member(org):
    return editor_of(org, "member", Membership.Role.MEMBER)


@pytest.fixture
def editor(org):
    return editor_of(org, "editor", Membership.Role.EDITOR)


@pytest.fixture
def admin(org):
    return editor_of(org, "orgadmin", Membership.Role.ADMIN)


@pytest.fixture
def outsider(other_org):
    return editor_of(other_org, "outsider", Membership.Role.ADMIN)


@pytest.fixture
def citizen():
    return UserFactory(username="citizen")


@pytest.fixture
def remote(settings):
    server = Remote()
    # The harvester fetches through the ingest fetcher, which refuses local addresses
    # except the ones allowed here.
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", server.server_address[1])]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
