"""Demo cities, agencies and accounts. Demo use only: the password is public."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from portal.models import Membership, Organization

DEMO_PASSWORD = "demo12345"  # noqa: S105 - documented demo-only password

# slug, kind, parent slug, zh-hant name, English name, zh-hant description, English description
ORGANIZATIONS = [
    ("taipei", "city", None, "臺北市", "Taipei City", "臺北市政府。", "Taipei City Government."),
    (
        "taipei-dit",
        "agency",
        "taipei",
        "臺北市政府資訊局",
        "Department of Information Technology, Taipei",
        "負責臺北市政府資料開放與智慧城市服務。",
        "Runs the city's open data and smart-city services.",
    ),
    (
        "taipei-dot",
        "agency",
        "taipei",
        "臺北市政府交通局",
        "Department of Transportation, Taipei",
        "公車、捷運轉乘、停車與自行車道。",
        "Buses, transfers, parking and cycle lanes.",
    ),
    (
        "taipei-dep",
        "agency",
        "taipei",
        "臺北市政府環境保護局",
        "Department of Environmental Protection, Taipei",
        "空氣品質、垃圾清運與資源回收。",
        "Air quality, refuse collection and recycling.",
    ),
    (
        "taipei-health",
        "agency",
        "taipei",
        "臺北市政府衛生局",
        "Department of Health, Taipei",
        "醫療院所、防疫與食品安全。",
        "Clinics, disease prevention and food safety.",
    ),
    (
        "kaohsiung",
        "city",
        None,
        "高雄市",
        "Kaohsiung City",
        "高雄市政府。",
        "Kaohsiung City Government.",
    ),
    (
        "kaohsiung-dot",
        "agency",
        "kaohsiung",
        "高雄市政府交通局",
        "Transportation Bureau, Kaohsiung",
        "輕軌、公車與港區交通。",
        "Light rail, buses and harbour traffic.",
    ),
    (
        "kaohsiung-ep",
        "agency",
        "kaohsiung",
        "高雄市政府環境保護局",
        "Environmental Protection Bureau, Kaohsiung",
        "工業區空氣監測與河川水質。",
        "Air monitoring near industry and river water quality.",
    ),
    (
        "gent",
        "city",
        None,
        "根特市",
        "City of Ghent",
        "比利時根特市。",
        "The City of Ghent, Belgium.",
    ),
    (
        "gent-mobility",
        "agency",
        "gent",
        "根特市交通局",
        "Ghent Mobility Department",
        "自行車、停車與低排放區。",
        "Cycling, parking and the low-emission zone.",
    ),
    (
        "gent-environment",
        "agency",
        "gent",
        "根特市環境與氣候局",
        "Ghent Environment and Climate Office",
        "噪音、綠地與氣候調適。",
        "Noise, green space and climate adaptation.",
    ),
    (
        "urban-pulse",
        "company",
        None,
        "城市脈動科技",
        "Urban Pulse Labs",
        "以開放資料打造城市服務的新創公司。",
        "A startup building city services on open data.",
    ),
]

# username, display name, is superuser, [(organization slug, role)]
ACCOUNTS = [
    ("demo-admin", "Demo Admin 示範管理者", False, [("taipei-dit", "admin")]),
    ("demo-editor", "Demo Editor 示範編輯", False, [("taipei-dit", "editor")]),
    ("demo-member", "Demo Member 示範成員", False, [("taipei-dit", "member")]),
    ("demo-judge", "Demo Judge 示範評審", False, []),
    ("demo-participant", "Demo Participant 示範參賽者", False, [("urban-pulse", "admin")]),
    ("demo-staff", "Demo Staff 平台管理員", True, []),
]


def load(stdout) -> None:
    by_slug: dict[str, Organization] = {}
    for slug, kind, parent, name_zh, name_en, desc_zh, desc_en in ORGANIZATIONS:
        org, _created = Organization.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "parent": by_slug.get(parent),
                "name_zh_hant": name_zh,
                "name_en": name_en,
                "description_zh_hant": desc_zh,
                "description_en": desc_en,
                "email": f"opendata@{slug}.example.org",
            },
        )
        by_slug[slug] = org

    User = get_user_model()
    for username, display_name, superuser, roles in ACCOUNTS:
        email = f"{username}@example.org"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": email, "display_name": display_name},
        )
        user.is_superuser = user.is_staff = superuser
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, organization=by_slug[slug], defaults={"role": role}
            )
    stdout.write(f"Demo organizations: {len(ORGANIZATIONS)}; demo accounts: {len(ACCOUNTS)}")
