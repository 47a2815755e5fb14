"""Seed the ISO 37120 city-indicator themes and the licenses publishers choose from."""

from django.db import migrations

# slug, ISO 37120 section, zh-hant, en
THEMES = [
    ("economy", 5, "經濟", "Economy"),
    ("education", 6, "教育", "Education"),
    ("energy", 7, "能源", "Energy"),
    ("environment", 8, "環境與氣候", "Environment and climate change"),
    ("finance", 9, "財政", "Finance"),
    ("governance", 10, "治理", "Governance"),
    ("health", 11, "衛生與健康", "Health"),
    ("housing", 12, "住宅", "Housing"),
    ("population", 13, "人口與社會", "Population and social conditions"),
    ("recreation", 14, "休閒與運動", "Recreation"),
    ("safety", 15, "公共安全", "Safety"),
    ("solid-waste", 16, "廢棄物", "Solid waste"),
    ("sport-culture", 17, "文化", "Sport and culture"),
    ("telecommunication", 18, "電信通訊", "Telecommunication"),
    ("transportation", 19, "交通運輸", "Transportation"),
    ("urban-planning", 20, "都市計畫", "Urban planning"),
    ("wastewater", 21, "污水處理", "Wastewater"),
    ("water", 22, "水資源", "Water"),
    ("agriculture", 23, "都市農業與糧食安全", "Urban agriculture and food security"),
]

# id, zh-hant title, en title, url, is_open
LICENSES = [
    ("OGDL-Taiwan-1.0", "政府資料開放授權條款－第1版", "Open Government Data License, Taiwan, version 1.0",
     "https://data.gov.tw/license", True),
    ("CC-BY-4.0", "創用CC 姓名標示 4.0 國際", "Creative Commons Attribution 4.0 International",
     "https://creativecommons.org/licenses/by/4.0/", True),
    ("CC0-1.0", "創用CC0 1.0 公眾領域貢獻宣告", "Creative Commons Zero 1.0 (public domain dedication)",
     "https://creativecommons.org/publicdomain/zero/1.0/", True),
    ("ODbL-1.0", "開放資料庫授權條款 1.0", "Open Data Commons Open Database License 1.0",
     "https://opendatacommons.org/licenses/odbl/1-0/", True),
    ("CC-BY-SA-4.0", "創用CC 姓名標示－相同方式分享 4.0 國際",
     "Creative Commons Attribution-ShareAlike 4.0 International",
     "https://creativecommons.org/licenses/by-sa/4.0/", True),
    ("ODC-BY-1.0", "開放資料共享姓名標示授權 1.0", "Open Data Commons Attribution License 1.0",
     "https://opendatacommons.org/licenses/by/1-0/", True),
    ("PDDL-1.0", "開放資料共享公眾領域授權 1.0", "Open Data Commons Public Domain Dedication and License 1.0",
     "https://opendatacommons.org/licenses/pddl/1-0/", True),
    ("other-open", "其他開放授權", "Other (open)", "", True),
    ("other-closed", "其他非開放授權", "Other (not open)", "", False),
    ("notspecified", "未指定授權", "License not specified", "", False),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("datasets", "Theme")
    License = apps.get_model("datasets", "License")
    for position, (slug, section, zh, en) in enumerate(THEMES):
        Theme.objects.update_or_create(
            slug=slug,
            defaults={"iso37120_section": section, "name": zh, "name_zh_hant": zh, "name_en": en,
                      "position": position},
        )
    for position, (license_id, zh, en, url, is_open) in enumerate(LICENSES):
        License.objects.update_or_create(
            id=license_id,
            defaults={"title": zh, "title_zh_hant": zh, "title_en": en, "url": url,
                      "is_open": is_open, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("datasets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
